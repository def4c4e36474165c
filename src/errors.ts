/**
 * The one error type of Inlet and its one response shape: RFC 9457 problem details with a stable
 * `code`. Every error response is built here, so clients can branch on `code` and nothing else.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type ProblemCode =
  | 'unknown_source'
  | 'invalid_signature'
  | 'handshake_rejected'
  | 'malformed_body'
  | 'incomplete_body'
  | 'unsupported_media_type'
  | 'invalid_payload'
  | 'payload_too_complex'
  | 'payload_too_large'
  | 'method_not_allowed'
  | 'not_found'
  | 'unauthorized'
  | 'forbidden'
  | 'invalid_request'
  | 'conflict'
  | 'too_many_requests'
  | 'internal_error';

/** One failing place in a payload: a path such as `contact.email`, never the value found there. */
export interface PayloadIssue {
  path: string;
  message: string;
}

export class InletError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ProblemCode,
    /** Safe to show to the caller: never a secret, a signature or a payload value. */
    readonly detail: string,
    readonly issues?: PayloadIssue[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = 'InletError';
  }
}

const TITLES: Record<ProblemCode, string> = {
  unknown_source: 'Unknown source',
  invalid_signature: 'Invalid signature',
  handshake_rejected: 'Handshake rejected',
  malformed_body: 'Malformed body',
  incomplete_body: 'Incomplete body',
  unsupported_media_type: 'Unsupported media type',
  invalid_payload: 'Invalid payload',
  payload_too_complex: 'Payload too complex',
  payload_too_large: 'Payload too large',
  method_not_allowed: 'Method not allowed',
  not_found: 'Not found',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  invalid_request: 'Invalid request',
  conflict: 'Conflict',
  too_many_requests: 'Too many requests',
  internal_error: 'Internal error',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail: string;
  request_id: string;
  issues?: PayloadIssue[];
}

export function toProblem(error: InletError, requestId: string): Problem {
  return {
    type: `https://inlet.dev/problems/${error.code.replaceAll('_', '-')}`,
    title: TITLES[error.code],
    status: error.status,
    code: error.code,
    detail: error.detail,
    request_id: requestId,
    ...(error.issues ? { issues: error.issues } : {}),
  };
}

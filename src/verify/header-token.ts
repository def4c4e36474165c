/**
 * A static shared secret in a header, for senders that cannot sign but can set headers: Zapier's
 * webhook action, Make's HTTP module, n8n's HTTP Request node. `Authorization: Bearer <token>` by
 * default (RFC 6750), or the bare token in a header of the source's choosing. The token proves
 * nothing about the body, so it suits only HTTPS senders that hold the secret themselves.
 */
import { tokenMatchesAny } from './crypto';
import type { InboundRequest, Verifier, VerifyContext, VerifyResult } from './types';

export interface HeaderTokenOptions {
  /** `authorization` (default) expects `Bearer <token>`; any other header carries the bare token. */
  header?: string;
}

export const headerToken = (options: HeaderTokenOptions = {}): Verifier => {
  const header = (options.header ?? 'authorization').toLowerCase();
  const bearer = header === 'authorization';
  return {
    scheme: bearer ? 'bearer' : 'header-token',
    async verify(request: InboundRequest, context: VerifyContext): Promise<VerifyResult> {
      const value = request.headers.get(header)?.trim();
      if (!value) return { ok: false, reason: 'missing_header' };
      let token = value;
      if (bearer) {
        const match = /^bearer\s+(\S+)$/i.exec(value);
        if (!match?.[1]) return { ok: false, reason: 'malformed_signature' };
        token = match[1];
      }
      if (!context.secrets.some((s) => s.length > 0)) return { ok: false, reason: 'no_secret_configured' };
      return (await tokenMatchesAny(token, context.secrets))
        ? { ok: true }
        : { ok: false, reason: 'no_matching_signature' };
    },
  };
};

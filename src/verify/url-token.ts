/**
 * A secret token in the ingest URL's query string, for senders that can neither sign nor set
 * headers: Jotform, Mailchimp audience webhooks. Weaker than a header (URLs end up in logs and
 * browser histories), so use it only where the provider offers nothing else.
 */
import { tokenMatchesAny } from './crypto';
import type { InboundRequest, Verifier, VerifyContext, VerifyResult } from './types';

export interface UrlTokenOptions {
  /** Query parameter holding the token; `token` by default. */
  param?: string;
}

export const urlToken = (options: UrlTokenOptions = {}): Verifier => {
  const param = options.param ?? 'token';
  return {
    scheme: 'url-token',
    async verify(request: InboundRequest, context: VerifyContext): Promise<VerifyResult> {
      let tokens: string[];
      try {
        tokens = new URL(request.url).searchParams.getAll(param);
      } catch {
        return { ok: false, reason: 'malformed_signature' };
      }
      // `?token=right&token=wrong` is no token: which one a proxy or a log keeps is anyone's guess.
      if (tokens.length > 1) return { ok: false, reason: 'malformed_signature' };
      const [token] = tokens;
      if (!token) return { ok: false, reason: 'missing_header' };
      if (!context.secrets.some((s) => s.length > 0)) return { ok: false, reason: 'no_secret_configured' };
      return (await tokenMatchesAny(token, context.secrets))
        ? { ok: true }
        : { ok: false, reason: 'no_matching_signature' };
    },
  };
};

/**
 * HTTP Basic authentication (RFC 7617) for senders that do not sign but can send credentials:
 * Pipedrive's webhooks (`http_auth_user` / `http_auth_password`), and any tool that can call a URL
 * with a user and password. Each secret is `user:password`; the whole pair is compared in
 * constant time.
 */
import { fromBase64, fromUtf8, tokenMatchesAny } from './crypto';
import type { InboundRequest, Verifier, VerifyContext, VerifyResult } from './types';

export const basicAuth = (): Verifier => ({
  scheme: 'basic-auth',
  async verify(request: InboundRequest, context: VerifyContext): Promise<VerifyResult> {
    const header = request.headers.get('authorization')?.trim();
    if (!header) return { ok: false, reason: 'missing_header' };
    const [scheme, encoded, ...rest] = header.split(/\s+/);
    if (scheme?.toLowerCase() !== 'basic' || !encoded || rest.length > 0) {
      return { ok: false, reason: 'malformed_signature' };
    }
    const decoded = fromBase64(encoded);
    const credentials = decoded && fromUtf8(decoded);
    if (!credentials?.includes(':')) return { ok: false, reason: 'malformed_signature' };
    if (!context.secrets.some((s) => s.length > 0)) return { ok: false, reason: 'no_secret_configured' };
    return (await tokenMatchesAny(credentials, context.secrets))
      ? { ok: true }
      : { ok: false, reason: 'no_matching_signature' };
  },
});

/**
 * The dashboard's session and CSRF tokens, pure WebCrypto (no binding, no storage). A session is
 * `<id>.<expires>.<mac>`, the MAC an HMAC under a key derived from ADMIN_TOKEN: the cookie never
 * holds the token, a forged or altered cookie fails the MAC, and rotating ADMIN_TOKEN signs every
 * session out at once. A CSRF token is an HMAC of the session id under the same key, so a form is
 * good for its own session only and needs no server-side state.
 */
import { type Bytes, constantTimeEqual, hmac, toBase64, utf8 } from '../verify/crypto';

/** How long a sign-in lasts: a working day, so a forgotten tab does not stay signed in for a week. */
export const SESSION_SECONDS = 8 * 60 * 60;

export interface Session {
  id: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

const base64url = (bytes: Bytes): string =>
  toBase64(bytes).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');

/**
 * One key per purpose, derived from the admin token, so a MAC made for one use (a session) can
 * never pass as another (a CSRF token), and the token itself is used as a key for nothing else.
 */
async function derive(adminToken: string, purpose: 'session' | 'csrf'): Promise<Bytes> {
  return hmac('SHA-256', utf8(adminToken), utf8(`inlet-dashboard/${purpose}/v1`));
}

async function mac(adminToken: string, purpose: 'session' | 'csrf', data: string): Promise<string> {
  return base64url(await hmac('SHA-256', await derive(adminToken, purpose), utf8(data)));
}

/** A new session's cookie value. */
export async function issueSession(adminToken: string, nowMs: number): Promise<string> {
  const id = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const expires = Math.floor(nowMs / 1000) + SESSION_SECONDS;
  return `${id}.${expires}.${await mac(adminToken, 'session', `${id}.${expires}`)}`;
}

/** The session a cookie value holds, or undefined when it is malformed, forged or expired. */
export async function readSession(
  adminToken: string,
  value: string | undefined,
  nowMs: number,
): Promise<Session | undefined> {
  if (!adminToken || !value) return undefined;
  const match = /^([A-Za-z0-9_-]{22})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!match) return undefined;
  const [, id, expires, given] = match as unknown as [string, string, string, string];
  const expected = await mac(adminToken, 'session', `${id}.${expires}`);
  if (!(await constantTimeEqual(given, expected))) return undefined;
  const expiresAt = Number(expires) * 1000;
  return expiresAt > nowMs ? { id, expiresAt } : undefined;
}

/** The CSRF token every POST form of this session carries. */
export function csrfToken(adminToken: string, session: Session): Promise<string> {
  return mac(adminToken, 'csrf', session.id);
}

export async function csrfMatches(adminToken: string, session: Session, given: unknown): Promise<boolean> {
  if (typeof given !== 'string' || given.length === 0 || given.length > 100) return false;
  return constantTimeEqual(given, await csrfToken(adminToken, session));
}

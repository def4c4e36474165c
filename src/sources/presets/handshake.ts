/** Helpers shared by the presets that answer a provider's handshake. */

// A challenge is echoed back verbatim; anything beyond a plain token is not a real provider's.
const CHALLENGE = /^[A-Za-z0-9._~-]{1,512}$/;

/** True when `value` is safe to echo as a challenge: a short, plain token. */
export const isPlainChallenge = (value: string | undefined): value is string =>
  value !== undefined && CHALLENGE.test(value);

export const TEXT_PLAIN = 'text/plain; charset=utf-8';

/**
 * A static shared secret in a header, for senders that set headers but cannot sign: Zapier's
 * webhook action, Make's HTTP module, n8n's HTTP Request node. Prefer `inlet-hmac` where the sender
 * can compute an HMAC: a token authenticates the sender, not the body.
 */
import { type HeaderTokenOptions, headerToken } from '../../verify/header-token';
import type { Preset } from '../types';

/** `Authorization: Bearer <token>`. */
export const bearerPreset = (): Preset => ({ name: 'bearer', verifier: headerToken() });

/** The bare token in a header of the source's choosing; `x-inlet-token` by default. */
export const headerTokenPreset = (options: HeaderTokenOptions = {}): Preset => ({
  name: 'header-token',
  verifier: headerToken({ header: options.header ?? 'x-inlet-token' }),
});

/** Zapier's "Webhooks by Zapier" POST action with an `Authorization: Bearer <token>` header. */
export const zapierPreset = (): Preset => ({ name: 'zapier', verifier: headerToken() });

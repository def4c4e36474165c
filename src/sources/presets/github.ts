/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the raw body. No timestamp is signed,
 * so replays are caught by `X-GitHub-Delivery`, which stays the same when a delivery is redelivered.
 */
import { genericHmac } from '../../verify/generic-hmac';
import type { Preset } from '../types';

export const githubPreset = (): Preset => ({
  name: 'github',
  verifier: genericHmac({
    header: 'x-hub-signature-256',
    algorithm: 'SHA-256',
    encoding: 'hex',
    prefix: 'sha256=',
    signed: 'body',
    idHeader: 'x-github-delivery',
  }),
});

/**
 * Pipedrive webhooks: no signature, but HTTP Basic credentials (`http_auth_user` and
 * `http_auth_password` on the webhook). The source's secret is `user:password`.
 */
import { basicAuth } from '../../verify/basic-auth';
import type { Preset } from '../types';
import { textAt } from './payload';

export const pipedrivePreset = (): Preset => ({
  name: 'pipedrive',
  verifier: basicAuth(),
  // In webhooks v2 `meta.id` identifies the event; in v1 it was the object's id, shared by all its
  // changes, so v1 payloads get no key.
  idempotencyKey: (_request, payload) =>
    textAt(payload, 'meta', 'version')?.startsWith('2') ? textAt(payload, 'meta', 'id') : undefined,
});

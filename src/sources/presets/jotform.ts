/**
 * Jotform: no signature is documented, so the webhook URL carries a secret token
 * (`/in/<source>?token=...`). Submissions arrive as multipart forms with a `submissionID`.
 */
import { type UrlTokenOptions, urlToken } from '../../verify/url-token';
import type { Preset } from '../types';
import { textAt } from './payload';

export const jotformPreset = (options: UrlTokenOptions = {}): Preset => ({
  name: 'jotform',
  verifier: urlToken(options),
  idempotencyKey: (_request, payload) => textAt(payload, 'submissionID'),
});

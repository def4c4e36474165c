/**
 * Mailchimp Marketing audience webhooks: no signature, so the webhook URL carries a secret token
 * (`/in/<source>?token=...`). When a webhook is saved, Mailchimp probes the URL with a GET (or an
 * empty POST) and wants a 2xx: both carry nothing to store and are answered before verification.
 */
import { formParams, isFormBody } from '../../verify/form-signature';
import { type UrlTokenOptions, urlToken } from '../../verify/url-token';
import type { Preset } from '../types';
import { joinKey } from './payload';

export const mailchimpPreset = (options: UrlTokenOptions = {}): Preset => ({
  name: 'mailchimp',
  verifier: urlToken(options),
  async challenge(request) {
    const probe = request.method === 'GET' || (request.method === 'POST' && request.body.byteLength === 0);
    return probe ? { status: 200, contentType: 'text/plain; charset=utf-8', body: '' } : undefined;
  },
  // Form-encoded: `type`, `fired_at` and `data[id]` (the member) together identify an event.
  idempotencyKey(request) {
    if (!isFormBody(request)) return undefined;
    const form = formParams(request.body);
    const part = (name: string) => form.get(name) || undefined;
    return joinKey(part('type'), part('data[id]') ?? part('data[email]'), part('fired_at'));
  },
});

/**
 * Slack: `X-Slack-Signature: v0=<hex>`, HMAC-SHA256 over `v0:${timestamp}:${body}` with the app's
 * signing secret, `X-Slack-Request-Timestamp` in seconds. The Events API's `url_verification` is
 * signed like any request, so it is answered after verification by echoing its challenge.
 */
import { genericHmac } from '../../verify/generic-hmac';
import type { Preset } from '../types';
import { isPlainChallenge, TEXT_PLAIN } from './handshake';
import { textAt } from './payload';

export interface SlackPresetOptions {
  /** Seconds, both directions; 300 by default, as Slack's guide says. */
  toleranceSeconds?: number;
}

export const slackPreset = (options: SlackPresetOptions = {}): Preset => ({
  name: 'slack',
  verifier: genericHmac({
    header: 'x-slack-signature',
    algorithm: 'SHA-256',
    encoding: 'hex',
    prefix: 'v0=',
    signed: { template: 'v0:{timestamp}:{body}' },
    timestampHeader: 'x-slack-request-timestamp',
    toleranceSeconds: options.toleranceSeconds ?? 300,
  }),
  async handshake(payload) {
    if (textAt(payload, 'type') !== 'url_verification') return undefined;
    const challenge = textAt(payload, 'challenge');
    if (!isPlainChallenge(challenge)) return undefined;
    return { status: 200, contentType: TEXT_PLAIN, body: challenge };
  },
  // Events API callbacks carry `event_id`, kept across Slack's retries; interactions a `trigger_id`.
  idempotencyKey: (_request, payload) => textAt(payload, 'event_id') ?? textAt(payload, 'trigger_id'),
});

import { describe, expect, it } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { INGEST_URL, inbound } from './sign';
import { tokenSchemeCases } from './suite';

const SECRET = 'mailchimp-dev-url-token-0123456789';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const BODY =
  'type=subscribe&fired_at=2026-01-15+11%3A59%3A59&data%5Bid%5D=8a25ff1d98&data%5Blist_id%5D=a6b5da1054' +
  '&data%5Bemail%5D=ada%40example.com&data%5Bmerges%5D%5BFNAME%5D=Ada';
const withToken = (token: string) =>
  inbound({ url: `${INGEST_URL}?token=${encodeURIComponent(token)}`, headers: FORM, body: BODY });

describe('mailchimp preset', () => {
  tokenSchemeCases({
    preset: presets.mailchimp,
    present: withToken,
    secret: SECRET,
    rotatedSecret: 'mailchimp-dev-url-token-rotated-987',
    missing: [inbound({ headers: FORM, body: BODY })],
    malformed: [],
  });

  it('answers the GET and empty POST probes with a 2xx, before verification', async () => {
    const ok = { status: 200, contentType: 'text/plain; charset=utf-8', body: '' };
    expect(await presets.mailchimp.challenge?.(inbound({ method: 'GET' }), undefined)).toEqual(ok);
    expect(await presets.mailchimp.challenge?.(inbound({ method: 'POST' }), undefined)).toEqual(ok);
    expect(await presets.mailchimp.challenge?.(withToken(SECRET), undefined)).toBeUndefined();
  });

  it('keys on the event type, the member and the time it fired', () => {
    expect(presets.mailchimp.idempotencyKey?.(withToken(SECRET), {})).toBe(
      'subscribe:8a25ff1d98:2026-01-15 11:59:59',
    );
  });
});

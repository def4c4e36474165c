import { describe, expect, it } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { slackPreset } from '../../../src/sources/presets/slack';
import { hmacHex, inbound, NOW_MS, seconds, verify } from './sign';
import { type SignInput, signedSchemeCases } from './suite';

// Official vector from Slack's "Verifying requests from Slack" (a slash command).
const VECTOR_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const VECTOR_TS = 1531420618;
const VECTOR_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V' +
  '&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=' +
  '&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN' +
  '&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const VECTOR_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

const SECRET = 'slack-signing-secret-0123456789';
const BODY = JSON.stringify({
  type: 'event_callback',
  event_id: 'Ev0PV52K21',
  event: { type: 'message', text: 'New lead: ada@example.com' },
});

const sign = async ({ secret, body, timestampMs, mangle = (s) => s }: SignInput) => {
  const ts = seconds(timestampMs);
  const signature = mangle(await hmacHex('SHA-256', secret, `v0:${ts}:`, body));
  return inbound({
    headers: { 'x-slack-signature': `v0=${signature}`, 'x-slack-request-timestamp': String(ts) },
    body,
  });
};

describe('slack preset', () => {
  it("matches Slack's documented test vector", async () => {
    const request = inbound({
      headers: { 'x-slack-signature': VECTOR_SIGNATURE, 'x-slack-request-timestamp': String(VECTOR_TS) },
      body: VECTOR_BODY,
    });
    expect(await verify(presets.slack, request, [VECTOR_SECRET], VECTOR_TS * 1000)).toEqual({ ok: true });
  });

  signedSchemeCases({
    preset: presets.slack,
    sign,
    secret: SECRET,
    rotatedSecret: 'slack-signing-secret-rotated-987',
    body: BODY,
    tamperedBody: BODY.replace('ada@', 'eve@'),
    requiredHeaders: ['x-slack-signature', 'x-slack-request-timestamp'],
    encoding: 'hex',
    toleranceSeconds: 300,
  });

  it('takes its tolerance from the factory', async () => {
    const request = await sign({ secret: SECRET, body: BODY, timestampMs: NOW_MS - 400_000 });
    expect((await verify(slackPreset({ toleranceSeconds: 600 }), request, [SECRET])).ok).toBe(true);
  });

  it('echoes the challenge of a url_verification, and nothing else', async () => {
    const context = { secrets: [SECRET], nowMs: NOW_MS };
    const challenge = '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P';
    expect(
      await presets.slack.handshake?.({ type: 'url_verification', token: 'x', challenge }, context),
    ).toEqual({
      status: 200,
      contentType: 'text/plain; charset=utf-8',
      body: challenge,
    });
    expect(await presets.slack.handshake?.(JSON.parse(BODY), context)).toBeUndefined();
    expect(
      await presets.slack.handshake?.(
        { type: 'url_verification', challenge: '<script>alert(1)</script>' },
        context,
      ),
    ).toBeUndefined();
  });

  it('keys on the event id', () => {
    expect(presets.slack.idempotencyKey?.(inbound({}), JSON.parse(BODY))).toBe('Ev0PV52K21');
  });
});

// `npm run send-lead -- [email] [--url http://127.0.0.1:8787]`: posts a sample lead to the `demo`
// source, signed with Standard Webhooks using SOURCE_DEMO_SECRET from .dev.vars, as a real sender
// would; then polls the admin API until the event is delivered.
import { Webhook } from 'standardwebhooks';
import { readDevVars } from './env.mjs';

const args = process.argv.slice(2);
const urlFlag = args.indexOf('--url');
const base = urlFlag >= 0 ? args.splice(urlFlag, 2)[1] : 'http://127.0.0.1:8787';
const email = args[0] ?? 'ada.lovelace@example.com';
const vars = readDevVars();

const body = JSON.stringify({
  email,
  phone: '(415) 555-0132',
  name: 'Ada Lovelace',
  company: 'Analytical Engines Ltd',
  utm_source: 'newsletter',
  utm_campaign: 'launch',
});
const id = `msg_${crypto.randomUUID()}`;
const now = new Date();
const signature = new Webhook(vars.SOURCE_DEMO_SECRET.split(/\s+/)[0]).sign(id, now, body);
const response = await fetch(`${base}/in/demo`, {
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signature,
  },
  body,
});
const answer = await response.json();
console.log(`POST /in/demo -> ${response.status}`, answer);
if (!answer.id) process.exit(1);

for (let i = 0; i < 50; i++) {
  const event = await (
    await fetch(`${base}/admin/events/${answer.id}`, {
      headers: { authorization: `Bearer ${vars.ADMIN_TOKEN}` },
    })
  ).json();
  if (['delivered', 'dead', 'invalid'].includes(event.status)) {
    console.log(
      `event ${event.id}: ${event.status}`,
      JSON.stringify({ attempts: event.attempts, lead: event.lead }, null, 2),
    );
    process.exit(event.status === 'delivered' ? 0 : 1);
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
}
console.log('event not delivered within 10 s: see the wrangler dev output');
process.exit(1);

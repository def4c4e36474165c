// `npm run send-lead -- [email] [--url http://127.0.0.1:8787]`: the same as `npm run send -- demo`,
// a sample lead to the `demo` source signed with Standard Webhooks (scripts/send.mjs).
import { main } from './send.mjs';

process.exit(await main(['demo', ...process.argv.slice(2)]));

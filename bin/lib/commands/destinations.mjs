/** `inlet destinations`, `inlet pause <destination>`, `inlet resume <destination>`. */
import { parse } from '../args.mjs';
import { usageError } from '../errors.mjs';
import { adminClient, gatewayUrl } from '../gateway.mjs';
import { paint, print, printJson, status, table, time } from '../output.mjs';

export const summary = 'each destination: state, failures, deliveries waiting';

export const usage = `usage: inlet destinations [--json]
       inlet pause <destination> [--json]
       inlet resume <destination> [--json]

\`destinations\` lists each destination of inlet.config.ts: active, held (backing off after
failures) or paused, its failure streak, its last success and failure, and the deliveries
waiting for it by status. \`pause\` parks new deliveries until \`resume\`, which sends them.

options:
  --url URL   the gateway (default $INLET_URL, else http://127.0.0.1:8787)
  --json      the API's answer`;

export const pauseSummary = 'pause a destination: deliveries wait, parked';
export const resumeSummary = 'resume a destination and send what waited';

/** `retrying 3, paused 12`. */
const waiting = (counts) =>
  Object.entries(counts ?? {})
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${state} ${n}`)
    .join(', ') || '-';

/** Why it is paused: the API gives `{ by, reason, at }`, or a bare flag. */
function pausedWhy(destination) {
  const paused = destination.paused;
  if (!paused || typeof paused !== 'object') return '';
  return [paused.reason, paused.by ? `by ${paused.by}` : '', paused.at ? `at ${time(paused.at)}` : '']
    .filter(Boolean)
    .join(' ');
}

export async function list(argv) {
  const { values, positionals } = parse('destinations', argv, {});
  if (positionals.length) throw usageError(`unexpected argument: ${positionals[0]}`, 'destinations');
  const answer = await adminClient(gatewayUrl(values.url)).get('/destinations');
  if (values.json) {
    printJson(answer);
    return 0;
  }
  const c = paint(process.stdout);
  const rows = answer.destinations ?? [];
  if (rows.length === 0) {
    print('no destinations are configured.');
    return 0;
  }
  print(
    table(rows, [
      { header: 'NAME', value: (d) => d.name },
      { header: 'TYPE', value: (d) => d.type },
      {
        header: 'STATE',
        value: (d) =>
          `${status(c, d.state)}${d.state === 'held' && d.hold_until ? ` until ${time(d.hold_until)}` : ''}`,
      },
      { header: 'FAILURES', value: (d) => d.failure_streak ?? 0, align: 'right' },
      { header: 'LAST SUCCESS', value: (d) => time(d.last_success_at) },
      { header: 'LAST FAILURE', value: (d) => time(d.last_failure_at) },
      { header: 'WAITING', value: (d) => waiting(d.waiting) },
      { header: 'WHY', value: pausedWhy, flex: true },
    ]),
  );
  return 0;
}

const change = (action) => async (argv) => {
  const { values, positionals } = parse(action, argv, {});
  const [name, ...extra] = positionals;
  if (!name)
    throw usageError(
      `which destination? e.g. \`inlet ${action} hubspot\` (see \`inlet destinations\`)`,
      action,
    );
  if (extra.length) throw usageError(`unexpected argument: ${extra[0]}`, action);
  const answer = await adminClient(gatewayUrl(values.url)).post(
    `/destinations/${encodeURIComponent(name)}/${action}`,
  );
  if (values.json) {
    printJson(answer);
    return 0;
  }
  if (action === 'pause') {
    print(`paused ${name}: its deliveries wait, parked, until \`inlet resume ${name}\``);
  } else {
    const resent = Array.isArray(answer?.resent) ? answer.resent.length : answer?.resent;
    print(`resumed ${name}${typeof resent === 'number' ? `: ${resent} waiting deliveries sent again` : ''}`);
  }
  return 0;
};

export const pause = change('pause');
export const resume = change('resume');

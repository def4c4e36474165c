/** `inlet erase --email E | --phone P`: deletes a person and everything held about them. */
import { createInterface } from 'node:readline';
import { parse } from '../args.mjs';
import { EXIT, usageError } from '../errors.mjs';
import { adminClient, gatewayUrl } from '../gateway.mjs';
import { plural, print, printJson } from '../output.mjs';

export const summary = 'erase a person (GDPR): their events, deliveries, attempts, CRM links';

export const usage = `usage: inlet erase --email E | --phone P [--yes] [--json]

Deletes the person with this email or phone (normalised as a lead's would be) and everything held
about them: their events (payload, headers, lead), deliveries, attempts, CRM record links and
alert samples. The daily counts in the stats stay (they hold no personal data). Erasing twice is
harmless. Records already in a CRM are not touched: erase them there.

options:
  --email E, --phone P  who
  --yes                 do not ask for confirmation (needed when not on a terminal)
  --url URL             the gateway (default $INLET_URL, else http://127.0.0.1:8787)
  --json                the API's answer`;

const OPTIONS = {
  email: { type: 'string' },
  phone: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
};

function confirm(question) {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    let answered = false;
    const done = (yes) => {
      if (answered) return;
      answered = true;
      rl.close();
      resolve(yes);
    };
    rl.on('SIGINT', () => done(false));
    rl.on('close', () => done(false));
    rl.question(question, (answer) => done(/^y(es)?$/i.test(answer.trim())));
  });
}

const LABELS = {
  events: ['event', 'events'],
  deliveries: ['delivery', 'deliveries'],
  attempts: ['attempt', 'attempts'],
  person_destinations: ['CRM record link', 'CRM record links'],
  alert_events: ['alert sample', 'alert samples'],
};

export async function run(argv) {
  const { values, positionals } = parse('erase', argv, OPTIONS);
  if (positionals.length)
    throw usageError(`unexpected argument: ${positionals[0]} (use --email or --phone)`, 'erase');
  if (!values.email === !values.phone) throw usageError('give exactly one of --email or --phone', 'erase');
  const who = values.email ? { email: values.email } : { phone: values.phone };
  const label = values.email ?? values.phone;
  const client = adminClient(gatewayUrl(values.url));

  if (!values.yes) {
    if (!process.stdin.isTTY || !process.stderr.isTTY) {
      throw usageError(
        'erasing cannot be undone: pass --yes to erase without a terminal to confirm on',
        'erase',
      );
    }
    const yes = await confirm(
      `Erase ${label} and everything held about them from ${client.url}? This cannot be undone. [y/N] `,
    );
    if (!yes) {
      print('nothing erased.');
      return EXIT.failed;
    }
  }
  const answer = await client.post('/erase', { body: who });
  if (values.json) {
    printJson(answer);
    return EXIT.ok;
  }
  if (!answer.erased) {
    print(`nobody matched ${label}: nothing erased.`);
    return EXIT.ok;
  }
  // In the order a reader thinks of them; `people` is already the sentence's subject.
  const counts = answer.deleted ?? {};
  const keys = [...Object.keys(LABELS), ...Object.keys(counts)].filter(
    (key, i, all) => all.indexOf(key) === i,
  );
  const deleted = keys
    .filter((key) => key !== 'people' && counts[key] !== undefined)
    .map((key) => {
      const [one, many] = LABELS[key] ?? [key.replaceAll('_', ' '), key.replaceAll('_', ' ')];
      return plural(counts[key], one, many);
    });
  print(
    `erased ${plural(answer.people ?? 1, 'person', 'people')} matching ${label}: deleted ${deleted.join(', ')}.`,
  );
  return EXIT.ok;
}

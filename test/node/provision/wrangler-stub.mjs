#!/usr/bin/env node
// A stand-in for the wrangler 4 CLI, for the commands scripts/provision.mjs runs. It answers as
// wrangler does (the same JSON, tables and snippets), keeps the account in
// $WRANGLER_STUB_DIR/state.json so that a resource is missing until created, and appends each call
// (argv, stdin) to $WRANGLER_STUB_DIR/calls.jsonl for the test to read.
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.WRANGLER_STUB_DIR;
if (!dir) {
  console.error('wrangler-stub: WRANGLER_STUB_DIR is not set');
  process.exit(2);
}
const statePath = join(dir, 'state.json');
/** The account as the test left it; see `initialState` in provision.test.ts. */
const state = JSON.parse(readFileSync(statePath, 'utf8'));
const save = () => writeFileSync(statePath, JSON.stringify(state, null, 2));

const argv = process.argv.slice(2);
const [command, sub, third] = argv;
// Like wrangler, stdin is read only where a value is expected and stdin is not a terminal.
const readsStdin = command === 'secret' && sub === 'put';
const stdin = readsStdin ? readFileSync(0, 'utf8') : undefined;
appendFileSync(join(dir, 'calls.jsonl'), `${JSON.stringify({ argv, stdin })}\n`);

const flag = (name) => {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv[i + 1];
};
const fail = (message) => {
  console.error(`\n✘ [ERROR] ${message}\n`);
  process.exit(1);
};
/** cli-table3's box table, as `logger.table` draws it without colours. */
function table(rows) {
  if (rows.length === 0) return '';
  const head = Object.keys(rows[0]);
  const widths = head.map((h) => Math.max(h.length, ...rows.map((r) => String(r[h]).length)) + 2);
  const line = (l, m, r) => `${l}${widths.map((w) => '─'.repeat(w)).join(m)}${r}`;
  const row = (cells) => `│${cells.map((c, i) => ` ${String(c).padEnd(widths[i] - 1)}`).join('│')}│`;
  return [
    line('┌', '┬', '┐'),
    row(head),
    ...rows.flatMap((r) => [line('├', '┼', '┤'), row(head.map((h) => r[h]))]),
    line('└', '┴', '┘'),
  ].join('\n');
}
/** The wrangler.toml of the working directory, as far as deploy and migrations look at it. */
function configIds() {
  const text = readFileSync('wrangler.toml', 'utf8');
  return {
    databaseIds: [...text.matchAll(/^database_id\s*=\s*"([^"]*)"/gm)].map((m) => m[1]),
    kvIds: [...text.matchAll(/^id\s*=\s*"([^"]*)"/gm)].map((m) => m[1]),
  };
}
const requireAuth = () => {
  if (!state.loggedIn) fail('Not logged in.\n\nRun `wrangler login` or set CLOUDFLARE_API_TOKEN.');
};

// The first words name the command; flags after them are read where they matter.
const key = [command, sub, third].filter(Boolean).join(' ');
if (command === 'whoami') {
  if (!state.loggedIn) {
    console.log('{"loggedIn":false}');
    process.exit(1);
  }
  console.log(
    JSON.stringify(
      {
        loggedIn: true,
        authType: 'OAuth Token',
        email: 'ada@example.com',
        accounts: state.accounts,
        tokenPermissions: ['account:read', 'workers:write', 'd1:write'],
      },
      null,
      2,
    ),
  );
} else if (key.startsWith('d1 list')) {
  requireAuth();
  if (!argv.includes('--json')) fail('stub: only `d1 list --json` is modelled');
  const rows = state.d1.map((db) => ({
    uuid: db.uuid,
    name: db.name,
    created_at: '2026-12-01T10:00:00.000Z',
    version: 'production',
    num_tables: 0,
    file_size: 0,
  }));
  console.log(JSON.stringify(rows, null, 2));
} else if (key.startsWith('d1 create')) {
  requireAuth();
  const name = argv[2];
  if (state.d1.some((db) => db.name === name)) fail('A database with that name already exists');
  const db = { uuid: randomUUID(), name, migrations: [] };
  state.d1.push(db);
  save();
  console.log(`✅ Successfully created DB '${name}' in region WEUR
Created your new D1 database.

To access your new D1 Database in your Worker, add the following snippet to your configuration file:
[[d1_databases]]
binding = "${name}"
database_name = "${name}"
database_id = "${db.uuid}"`);
} else if (key.startsWith('d1 migrations apply')) {
  requireAuth();
  if (!argv.includes('--remote')) fail('stub: only --remote is modelled');
  const db = state.d1.find((d) => d.name === argv[3]);
  // wrangler finds the database through wrangler.toml's database_id: a placeholder fails here.
  if (!db || !configIds().databaseIds.includes(db.uuid)) fail(`Couldn't find DB with name '${argv[3]}'`);
  const pending = readdirSync('migrations')
    .filter((file) => file.endsWith('.sql') && !db.migrations.includes(file))
    .sort();
  console.log('Resource location: remote\n');
  if (pending.length === 0) {
    console.log('✅ No migrations to apply!');
  } else {
    console.log(`Migrations to be applied:\n${table(pending.map((name) => ({ name })))}`);
    console.log(`? About to apply ${pending.length} migration(s)`);
    db.migrations.push(...pending);
    save();
    console.log(table(pending.map((name) => ({ name, status: '✅' }))));
  }
} else if (key.startsWith('kv namespace list')) {
  requireAuth();
  console.log(JSON.stringify(state.kv, null, '  '));
} else if (key.startsWith('kv namespace create')) {
  requireAuth();
  const title = argv[3];
  if (state.kv.some((ns) => ns.title === title))
    fail(`A KV namespace with the title "${title}" already exists.`);
  const id = randomBytes(16).toString('hex');
  state.kv.push({ id, title, supports_url_encoding: true });
  save();
  console.log(`Resource location: remote
🌀 Creating namespace with title "${title}"
✨ Success!
To access your new KV Namespace in your Worker, add the following snippet to your configuration file:
[[kv_namespaces]]
binding = "${title.replaceAll('-', '_')}"
id = "${id}"`);
} else if (key.startsWith('queues list')) {
  requireAuth();
  // Two queues a page, so that a caller reading only the first page misses some.
  const page = Number(flag('--page') ?? 1);
  const rows = state.queues.slice((page - 1) * 2, page * 2).map((name, i) => ({
    id: `q${page}${i}`,
    name,
    created_on: '2026-12-01T10:00:00Z',
    modified_on: '2026-12-01T10:00:00Z',
    producers: '0',
    consumers: '0',
  }));
  console.log(table(rows));
} else if (key.startsWith('queues create')) {
  requireAuth();
  const name = argv[2];
  if (state.queues.includes(name)) fail(`A queue with name '${name}' already exists. [code: 11009]`);
  state.queues.push(name);
  save();
  console.log(`🌀 Creating queue '${name}'\n✅ Created queue '${name}'`);
} else if (key.startsWith('secret list')) {
  requireAuth();
  if (!state.worker)
    fail('Worker "inlet" not found.\n\nIf this is a new Worker, run `wrangler deploy` first to create it.');
  console.log(JSON.stringify(Object.keys(state.secrets).map((name) => ({ name, type: 'secret_text' }))));
} else if (key.startsWith('secret put')) {
  requireAuth();
  if (!state.worker) {
    console.log('🌀 Creating new Worker "inlet"...');
    state.worker = true;
  }
  // wrangler trims the trailing whitespace of a value read from stdin.
  state.secrets[argv[2]] = stdin.trimEnd();
  save();
  console.log(`🌀 Creating the secret for the Worker "inlet"\n✨ Success! Uploaded secret ${argv[2]}`);
} else if (command === 'deploy') {
  requireAuth();
  const { databaseIds, kvIds } = configIds();
  for (const id of databaseIds)
    if (!state.d1.some((db) => db.uuid === id)) fail(`D1 database ${id} not found [code: 10181]`);
  for (const id of kvIds)
    if (!state.kv.some((ns) => ns.id === id)) fail(`KV namespace '${id}' is not valid.`);
  state.worker = true;
  state.deploys = (state.deploys ?? 0) + 1;
  save();
  const versionId = randomUUID();
  const url = 'https://inlet.ada-example.workers.dev';
  const output = process.env.WRANGLER_OUTPUT_FILE_PATH;
  if (output && existsSync(join(output, '..')))
    appendFileSync(
      output,
      `${JSON.stringify({ type: 'deploy', version: 1, worker_name: 'inlet', version_id: versionId, targets: [url] })}\n`,
    );
  console.log(`Total Upload: 412.20 KiB / gzip: 88.03 KiB
Uploaded inlet (3.10 sec)
Deployed inlet triggers (0.92 sec)
  ${url}
  schedule: * * * * *
  Producer for inlet-deliveries
  Consumer for inlet-deliveries
Current Version ID: ${versionId}`);
} else {
  fail(`wrangler-stub: \`wrangler ${argv.join(' ')}\` is not modelled`);
}

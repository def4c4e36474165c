// `npm run provision [-- --dry-run] [-- --yes] [-- --verbose]`: readies a Cloudflare account for
// Inlet and deploys it, as many times as you like. It checks who wrangler is logged in as, creates
// the D1 databases, KV namespaces and queues wrangler.toml names that the account lacks, writes
// their ids into wrangler.toml (those values only: comments and layout stay), applies the D1
// migrations remotely, puts each secret of .dev.vars.example the Worker does not have yet, and runs
// `wrangler deploy`. A second run finds everything and only applies new migrations and deploys.
//
// Secret values come from INLET_SECRET_<NAME> (or <NAME>) in the environment, else from a hidden
// prompt on a terminal; they are passed to wrangler on stdin and never printed.
// INLET_WRANGLER=/path/to/wrangler runs another wrangler executable (the tests' stub).
// docs/deploy.md describes each step and the manual commands it stands for.
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { readDevVars, WRANGLER_ENV } from './env.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONFIG = 'wrangler.toml';
const SECRETS_EXAMPLE = '.dev.vars.example';
const USAGE = `usage: npm run provision [-- --dry-run] [-- --yes] [-- --verbose]
  --dry-run   print what would be created, written, put and deployed; change nothing
  --yes       apply without asking (needed when stdin is not a terminal)
  --verbose   show the output of every wrangler command`;

/** A step that cannot go on, with what wrangler said about it, if it was wrangler. */
class ProvisionError extends Error {
  constructor(message, output = '') {
    super(message);
    this.output = output;
  }
}

// --- wrangler.toml -------------------------------------------------------------------------------

/** The value of a TOML `key = value` line: a basic or literal string, else the bare text. */
function tomlValue(text) {
  const basic = /^"((?:[^"\\]|\\.)*)"\s*(#.*)?$/.exec(text);
  if (basic) return JSON.parse(`"${basic[1]}"`);
  const literal = /^'([^']*)'\s*(#.*)?$/.exec(text);
  if (literal) return literal[1];
  return text.replace(/\s+#.*$/, '');
}

/**
 * The parts of wrangler.toml provisioning needs: the Worker's name and account, and its
 * `[[d1_databases]]`, `[[kv_namespaces]]` and `[[queues.*]]` tables, each key with its line
 * number so that an id can be written back into that very line.
 */
function readWranglerToml(text) {
  const top = {};
  const tables = [];
  let table;
  for (const [index, line] of text.split('\n').entries()) {
    const header = /^\s*\[(\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/.exec(line);
    if (header) {
      table = { kind: header[2], array: header[1] === '[', line: index, keys: {} };
      tables.push(table);
      continue;
    }
    const pair = /^\s*([A-Za-z0-9_-]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!pair) continue;
    (table ? table.keys : top)[pair[1]] = { value: tomlValue(pair[2]), line: index };
  }
  const of = (kind) => tables.filter((t) => t.array && t.kind === kind);
  const value = (t, key) => t.keys[key]?.value;
  return {
    name: top.name?.value,
    accountId: top.account_id?.value,
    d1: of('d1_databases').map((t) => ({
      table: t,
      binding: value(t, 'binding'),
      name: value(t, 'database_name'),
      id: value(t, 'database_id'),
      migrationsDir: value(t, 'migrations_dir') ?? 'migrations',
    })),
    kv: of('kv_namespaces').map((t) => ({ table: t, binding: value(t, 'binding'), id: value(t, 'id') })),
    queues: [
      ...new Set(
        [
          ...of('queues.producers').map((t) => value(t, 'queue')),
          ...of('queues.consumers').flatMap((t) => [value(t, 'queue'), value(t, 'dead_letter_queue')]),
        ].filter(Boolean),
      ),
    ],
    // Environments ([env.staging]) bring their own bindings, which this script does not read.
    environments: [
      ...new Set(tables.filter((t) => t.kind.startsWith('env.')).map((t) => t.kind.split('.')[1])),
    ],
    vars: Object.fromEntries(
      tables
        .filter((t) => !t.array && t.kind === 'vars')
        .flatMap((t) => Object.entries(t.keys).map(([key, entry]) => [key, entry.value])),
    ),
    inlineTables: /^\s*(d1_databases|kv_namespaces)\s*=/m.test(text),
  };
}

/**
 * `text` with `key = "value"` in `table`: the value of its line replaced (indentation and a
 * trailing comment kept), or a new line after `after` (or the header) when the key is missing.
 */
function setTomlString(text, table, key, value, after) {
  const lines = text.split('\n');
  const quoted = JSON.stringify(value);
  const existing = table.keys[key];
  if (existing) {
    lines[existing.line] = lines[existing.line].replace(
      /^(\s*[A-Za-z0-9_-]+\s*=\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^#\s]*)/,
      `$1${quoted}`,
    );
  } else {
    const anchor = table.keys[after]?.line ?? table.line;
    const indent = /^\s*/.exec(lines[anchor + 1] ?? '')?.[0] ?? '';
    lines.splice(anchor + 1, 0, `${indent}${key} = ${quoted}`);
  }
  return lines.join('\n');
}

/** The all-zero ids the repository ships for local development, or no id at all. */
const isPlaceholder = (id) => !id || /^[0-]+$/.test(id);

/** The title provisioning gives a KV namespace: wrangler's own for auto-provisioned resources. */
const kvTitle = (worker, binding) => `${worker}-${binding.toLowerCase().replaceAll('_', '-')}`;

// --- wrangler ------------------------------------------------------------------------------------

/** The wrangler to run: INLET_WRANGLER, else the project's; a script runs on this very Node. */
function wranglerCommand() {
  const path = process.env.INLET_WRANGLER ?? join(ROOT, 'node_modules/.bin/wrangler');
  let real = path;
  try {
    real = realpathSync(path);
  } catch {}
  return /\.[cm]?js$/.test(real) ? [process.execPath, [real]] : [path, []];
}

// Secrets given in the environment stay out of wrangler's: it has no use for them.
const CHILD_ENV = Object.fromEntries(
  Object.entries({ ...WRANGLER_ENV, WRANGLER_HIDE_BANNER: 'true' }).filter(
    ([name]) => !name.startsWith('INLET_SECRET_'),
  ),
);

/**
 * Runs wrangler with `args`, piped (so that it never waits on a prompt of its own); `input` goes to
 * its stdin. Resolves with its exit code and output, colours removed.
 */
function wrangler(args, { input, env = {}, verbose = false } = {}) {
  const [command, prefix] = wranglerCommand();
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, ...args], {
      env: { ...CHILD_ENV, ...env },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (verbose) process.stderr.write(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (verbose) process.stderr.write(chunk);
    });
    child.on('error', (error) =>
      reject(
        new ProvisionError(`cannot run wrangler (${command}): ${error.message}; is \`npm install\` done?`),
      ),
    );
    child.on('close', (code) =>
      resolve({ code, stdout: stripVTControlCharacters(stdout), stderr: stripVTControlCharacters(stderr) }),
    );
    if (input !== undefined) child.stdin.end(input);
  });
}

const outputOf = (result) => `${result.stdout}\n${result.stderr}`.trim();

/** The result of a wrangler call that must succeed; else a ProvisionError saying what failed. */
async function must(what, args, options) {
  const result = await wrangler(args, options);
  if (result.code !== 0)
    throw new ProvisionError(`${what} failed (\`wrangler ${args.join(' ')}\`)`, outputOf(result));
  return result;
}

/** The JSON value that wrangler printed, from its first `{` or `[`. */
function jsonOf(what, result, open) {
  const start = result.stdout.indexOf(open);
  try {
    return JSON.parse(result.stdout.slice(start));
  } catch {
    throw new ProvisionError(`${what}: wrangler did not print JSON`, outputOf(result));
  }
}

/** The rows of a table as wrangler draws it (cli-table3), by the names of its header. */
function tableRows(text) {
  const cells = text
    .split('\n')
    .filter((line) => line.trim().startsWith('│'))
    .map((line) =>
      line
        .trim()
        .split('│')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  const [head, ...rows] = cells;
  return head ? rows.map((row) => Object.fromEntries(head.map((name, i) => [name, row[i]]))) : [];
}

// --- what the account has ------------------------------------------------------------------------

async function whoami(verbose) {
  const result = await wrangler(['whoami', '--json'], { verbose });
  let who;
  try {
    who = JSON.parse(result.stdout.slice(result.stdout.indexOf('{')));
  } catch {}
  // An expired login answers in words rather than with `{"loggedIn":false}`.
  const refused =
    result.code !== 0 && /not logged in|wrangler login|not authenticated/i.test(outputOf(result));
  if (who?.loggedIn === false || refused)
    throw new ProvisionError(
      [
        'Not logged in to Cloudflare. Either:',
        '  - run `npx wrangler login` (opens a browser), then `npm run provision` again, or',
        '  - set CLOUDFLARE_API_TOKEN to an API token with Workers Scripts, D1, Workers KV Storage and',
        '    Queues edit permissions (and CLOUDFLARE_ACCOUNT_ID when it reaches several accounts).',
      ].join('\n'),
      who ? '' : outputOf(result),
    );
  if (result.code !== 0 || !who)
    throw new ProvisionError('`wrangler whoami --json` failed', outputOf(result));
  return who;
}

/** All queue names of the account: `wrangler queues list` shows one page, so every page is read. */
async function queueNames(verbose) {
  const names = new Set();
  for (let page = 1; page <= 100; page++) {
    const result = await must('listing the queues', ['queues', 'list', '--page', String(page)], { verbose });
    const fresh = tableRows(result.stdout)
      .map((row) => row.name)
      .filter((name) => name && !names.has(name));
    if (fresh.length === 0) break;
    for (const name of fresh) names.add(name);
  }
  return names;
}

/** Names of the secrets the Worker has; none when it was never deployed. */
async function secretNames(verbose) {
  const result = await wrangler(['secret', 'list', '--format', 'json'], { verbose });
  if (result.code !== 0 && /not found/i.test(outputOf(result))) return new Set();
  if (result.code !== 0) throw new ProvisionError('listing the secrets failed', outputOf(result));
  return new Set(jsonOf('wrangler secret list', result, '[').map((secret) => secret.name));
}

// --- asking --------------------------------------------------------------------------------------

const interactive = () => process.stdin.isTTY === true;

function ask(question) {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  return new Promise((resolve) =>
    rl.question(question, (answer) => {
      rl.close();
      resolve(answer);
    }),
  );
}

/** Reads a line from the terminal without echoing it. */
function askHidden(question) {
  const { stdin } = process;
  process.stderr.write(question);
  return new Promise((resolve) => {
    let value = '';
    const done = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      resolve(value);
    };
    const onData = (chunk) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return done();
        if (char === '\u0003') {
          stdin.setRawMode(false);
          process.stderr.write('\n');
          process.exit(130);
        }
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else if (char >= ' ') value += char;
      }
    };
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    stdin.resume();
  });
}

/** Where a missing secret's value comes from: an environment variable, the prompt, or nowhere. */
function secretSource(name) {
  for (const variable of [`INLET_SECRET_${name}`, name])
    if (process.env[variable]) return { variable, value: process.env[variable] };
  return interactive() ? { prompt: true } : {};
}

// --- the run -------------------------------------------------------------------------------------

function parseArgs(argv) {
  const options = { dryRun: false, yes: false, verbose: false };
  for (const arg of argv) {
    if (arg === '--dry-run') options.dryRun = true;
    else if (arg === '--yes' || arg === '-y') options.yes = true;
    else if (arg === '--verbose') options.verbose = true;
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else {
      console.error(`unknown option ${arg}\n${USAGE}`);
      process.exit(2);
    }
  }
  return options;
}

/** The account wrangler will act on; several without a choice made would stop wrangler later. */
function accountOf(who, toml) {
  const chosen = process.env.CLOUDFLARE_ACCOUNT_ID ?? toml.accountId;
  const accounts = who.accounts ?? [];
  if (chosen) return accounts.find((a) => a.id === chosen) ?? { id: chosen, name: chosen };
  if (accounts.length > 1)
    throw new ProvisionError(
      [
        `${who.email ?? 'This login'} reaches ${accounts.length} accounts; choose one with CLOUDFLARE_ACCOUNT_ID:`,
        ...accounts.map((a) => `  CLOUDFLARE_ACCOUNT_ID=${a.id}   # ${a.name}`),
      ].join('\n'),
    );
  return accounts[0] ?? { id: '?', name: 'the account of the API token' };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const { verbose } = options;
  if (!existsSync(CONFIG))
    throw new ProvisionError(`no ${CONFIG} here: run \`npm run provision\` in the project`);
  let text = readFileSync(CONFIG, 'utf8');
  const toml = readWranglerToml(text);
  if (!toml.name) throw new ProvisionError(`${CONFIG} has no \`name\`: the Worker needs one`);
  if (toml.inlineTables)
    throw new ProvisionError(
      `${CONFIG}: write d1_databases and kv_namespaces as [[tables]], one per binding`,
    );
  const missingBinding = [...toml.d1.filter((db) => !db.name), ...toml.kv.filter((ns) => !ns.binding)];
  if (missingBinding.length)
    throw new ProvisionError(
      `${CONFIG}: each [[d1_databases]] needs a database_name, each [[kv_namespaces]] a binding`,
    );

  // 1. Who: every later call acts on this account.
  const who = await whoami(verbose);
  const account = accountOf(who, toml);
  console.log(`Cloudflare account: ${account.name} (${account.id})${who.email ? `, as ${who.email}` : ''}`);

  // 2. What the account has already. Read-only, so a dry run does it too.
  const [databases, namespaces, queues, secrets] = await Promise.all([
    must('listing the D1 databases', ['d1', 'list', '--json'], { verbose }).then((r) =>
      jsonOf('wrangler d1 list --json', r, '['),
    ),
    must('listing the KV namespaces', ['kv', 'namespace', 'list'], { verbose }).then((r) =>
      jsonOf('wrangler kv namespace list', r, '['),
    ),
    queueNames(verbose),
    secretNames(verbose),
  ]);

  const plan = [];
  const d1 = toml.d1.map((db) => {
    if (!isPlaceholder(db.id)) {
      if (!databases.some((found) => found.uuid === db.id))
        throw new ProvisionError(
          `${CONFIG} gives ${db.binding} the database_id ${db.id}, which is not a D1 database of this account (logged in to the right one?)`,
        );
      plan.push(`D1 database   ${db.name}: in ${CONFIG} (${db.id})`);
      return { ...db, action: 'keep' };
    }
    const found = databases.find((candidate) => candidate.name === db.name);
    plan.push(
      found
        ? `D1 database   ${db.name}: exists (${found.uuid}); its id goes into ${CONFIG}`
        : `D1 database   ${db.name}: create; its id goes into ${CONFIG}`,
    );
    return { ...db, action: found ? 'adopt' : 'create', newId: found?.uuid };
  });
  const kv = toml.kv.map((ns) => {
    const title = kvTitle(toml.name, ns.binding);
    if (!isPlaceholder(ns.id)) {
      if (!namespaces.some((found) => found.id === ns.id))
        throw new ProvisionError(
          `${CONFIG} gives ${ns.binding} the KV id ${ns.id}, which is not a namespace of this account (logged in to the right one?)`,
        );
      plan.push(`KV namespace  ${ns.binding}: in ${CONFIG} (${ns.id})`);
      return { ...ns, title, action: 'keep' };
    }
    const found = namespaces.find((candidate) => candidate.title === title);
    plan.push(
      found
        ? `KV namespace  ${ns.binding}: "${title}" exists (${found.id}); its id goes into ${CONFIG}`
        : `KV namespace  ${ns.binding}: create "${title}"; its id goes into ${CONFIG}`,
    );
    return { ...ns, title, action: found ? 'adopt' : 'create', newId: found?.id };
  });
  const newQueues = toml.queues.filter((name) => !queues.has(name));
  for (const name of toml.queues)
    plan.push(`queue         ${name}: ${queues.has(name) ? 'exists' : 'create'}`);
  for (const db of d1) plan.push(`migrations    ${db.name}: apply those not applied yet (--remote)`);

  const names = existsSync(SECRETS_EXAMPLE) ? Object.keys(readDevVars(SECRETS_EXAMPLE)) : [];
  const toPut = names.filter((name) => !secrets.has(name)).map((name) => ({ name, ...secretSource(name) }));
  if (names.length === 0) plan.push(`secrets       none: no ${SECRETS_EXAMPLE} names any`);
  else if (toPut.length === 0) plan.push(`secrets       all ${names.length} set`);
  else {
    const from = (s) => (s.variable ? `from $${s.variable}` : s.prompt ? 'asked' : 'NO VALUE');
    plan.push(
      `secrets       ${names.length - toPut.length} of ${names.length} set; to put: ${toPut.map((s) => `${s.name} (${from(s)})`).join(', ')}`,
    );
  }
  plan.push(`deploy        wrangler deploy of ${toml.name}`);
  // wrangler.toml's [vars] run `npm run dev`; deployed as they are, they would point at this laptop.
  const local = Object.entries(toml.vars).filter(([, value]) => /\/\/(127\.0\.0\.1|localhost)\b/.test(value));
  for (const [name, value] of local)
    plan.push(
      `warning       [vars] ${name} = "${value}" is local: set the production value before deploying`,
    );
  if (toml.environments.length)
    plan.push(`note          [env.${toml.environments.join('], [env.')}] of ${CONFIG} are not provisioned`);
  console.log(
    `\n${options.dryRun ? 'Plan (dry run: nothing changes)' : 'Plan'}:\n${plan.map((line) => `  ${line}`).join('\n')}\n`,
  );

  const unset = toPut.filter((s) => !s.variable && !s.prompt);
  if (unset.length)
    throw new ProvisionError(
      [
        `No value for ${unset.length} secret(s), and stdin is not a terminal to ask. Set them in the environment:`,
        ...unset.map((s) => `  INLET_SECRET_${s.name}=...   (or ${s.name}=...)`),
      ].join('\n'),
    );
  if (options.dryRun) return;
  if (!options.yes) {
    if (!interactive())
      throw new ProvisionError(
        'stdin is not a terminal: pass --yes to apply the plan (or --dry-run to only print it)',
      );
    if (!/^y(es)?$/i.test((await ask('Apply this plan? [y/N] ')).trim())) {
      console.log('Nothing changed.');
      return;
    }
  }
  // Every value is asked before the first change, so that walking away leaves the account as it was.
  for (const secret of toPut.filter((s) => s.prompt)) {
    secret.value = await askHidden(`${secret.name} (input hidden; empty skips it): `);
    if (!secret.value) console.log(`  ${secret.name}: skipped; the next run asks again`);
  }

  // 3. Create what is missing, and write the ids into wrangler.toml.
  for (const db of d1.filter((entry) => entry.action === 'create')) {
    const result = await must(`creating the D1 database ${db.name}`, ['d1', 'create', db.name], { verbose });
    db.newId =
      /database_id\s*=\s*"([^"]+)"/.exec(result.stdout)?.[1] ??
      jsonOf(
        'wrangler d1 list --json',
        await must('listing the D1 databases', ['d1', 'list', '--json']),
        '[',
      ).find((found) => found.name === db.name)?.uuid;
    if (!db.newId)
      throw new ProvisionError(`created the D1 database ${db.name} but found no id for it`, outputOf(result));
    console.log(`  created D1 database ${db.name} (${db.newId})`);
  }
  for (const ns of kv.filter((entry) => entry.action === 'create')) {
    const args = ['kv', 'namespace', 'create', ns.title];
    const result = await must(`creating the KV namespace ${ns.title}`, args, { verbose });
    ns.newId =
      /\bid\s*=\s*"([^"]+)"/.exec(result.stdout)?.[1] ??
      jsonOf(
        'wrangler kv namespace list',
        await must('listing the KV namespaces', ['kv', 'namespace', 'list']),
        '[',
      ).find((found) => found.title === ns.title)?.id;
    if (!ns.newId)
      throw new ProvisionError(
        `created the KV namespace ${ns.title} but found no id for it`,
        outputOf(result),
      );
    console.log(`  created KV namespace ${ns.title} (${ns.newId})`);
  }
  for (const name of newQueues) {
    await must(`creating the queue ${name}`, ['queues', 'create', name], { verbose });
    console.log(`  created queue ${name}`);
  }
  // An edit may insert a line and move those below it: the file is parsed again before each edit.
  const edits = [
    ...d1
      .filter((db) => db.newId)
      .map((db) => ({
        kind: 'd1',
        key: db.name,
        field: 'database_id',
        after: 'database_name',
        id: db.newId,
      })),
    ...kv
      .filter((ns) => ns.newId)
      .map((ns) => ({ kind: 'kv', key: ns.binding, field: 'id', after: 'binding', id: ns.newId })),
  ];
  for (const edit of edits) {
    const current = readWranglerToml(text);
    const entry =
      edit.kind === 'd1'
        ? current.d1.find((db) => db.name === edit.key)
        : current.kv.find((ns) => ns.binding === edit.key);
    text = setTomlString(text, entry.table, edit.field, edit.id, edit.after);
  }
  if (edits.length) {
    writeFileSync(CONFIG, text);
    console.log(`  wrote ${edits.map((e) => `${e.field} of ${e.key}`).join(', ')} into ${CONFIG}`);
  }

  // 4. Migrations: wrangler applies those the remote database has not seen, each in a transaction.
  for (const db of d1) {
    if (!existsSync(db.migrationsDir) || readdirSync(db.migrationsDir).length === 0) continue;
    const result = await must(
      `applying the migrations to ${db.name}`,
      ['d1', 'migrations', 'apply', db.name, '--remote'],
      { verbose },
    );
    const count = /About to apply (\d+) migration/.exec(result.stdout)?.[1];
    console.log(
      `  migrations of ${db.name}: ${/No migrations to apply/.test(result.stdout) ? 'up to date' : `${count ?? 'pending ones'} applied`}`,
    );
  }

  // 5. Secrets: the value on stdin, which wrangler reads when it is not a terminal.
  for (const secret of toPut.filter((s) => s.value)) {
    await must(`putting the secret ${secret.name}`, ['secret', 'put', secret.name], {
      input: secret.value,
      verbose,
    });
    console.log(`  put secret ${secret.name}`);
  }

  // 6. Deploy. wrangler's output file lists the URLs it deployed to; its text is the fallback.
  console.log(`  deploying ${toml.name} …`);
  const outputDir = mkdtempSync(join(tmpdir(), 'inlet-provision-'));
  const outputFile = join(outputDir, 'output.json');
  let urls = [];
  try {
    const result = await must('deploying', ['deploy'], {
      env: { WRANGLER_OUTPUT_FILE_PATH: outputFile },
      verbose,
    });
    if (existsSync(outputFile))
      for (const line of readFileSync(outputFile, 'utf8').split('\n')) {
        try {
          const entry = JSON.parse(line);
          if (entry.type === 'deploy') urls = (entry.targets ?? []).filter((t) => t.startsWith('https://'));
        } catch {}
      }
    if (urls.length === 0) urls = [...result.stdout.matchAll(/^\s+(https:\/\/\S+)/gm)].map((m) => m[1]);
  } finally {
    rmSync(outputDir, { recursive: true, force: true });
  }
  const url = urls[0];
  console.log(
    url
      ? `\nDeployed: ${url}\n  webhooks: POST ${url}/in/<source>\n  admin:    ${url}/admin (Authorization: Bearer <ADMIN_TOKEN>)`
      : `\nDeployed ${toml.name}; wrangler named no workers.dev URL (routes only?).`,
  );
}

try {
  await main();
} catch (error) {
  if (!(error instanceof ProvisionError)) throw error;
  console.error(`\nprovision: ${error.message}`);
  if (error.output) console.error(`wrangler said:\n${error.output.replace(/^/gm, '  ')}`);
  process.exit(1);
}

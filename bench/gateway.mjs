// A throwaway local gateway for the load and chaos runs: `wrangler dev` on its own port, with its
// own wiped `--persist-to` state and migrations applied, in its own process group so stopping it
// stops workerd too and nothing else. Loopback only.
//
// It runs a snapshot of the Worker's sources taken at start (`<state>/worker`), not the working
// tree: `wrangler dev` reloads the Worker when a file it bundles changes, and a reload drops the
// local queue's messages in flight (delayed retries included), which would leave deliveries
// waiting for the cron sweep and measure an edit made during the run instead of the gateway.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve as absolute, join, relative } from 'node:path';
import { WRANGLER_ENV } from '../scripts/env.mjs';

/** What the Worker is built from; node_modules is found from the snapshot by walking up. */
export const SOURCES = [
  'src',
  'migrations',
  'inlet.config.ts',
  'wrangler.toml',
  'package.json',
  'tsconfig.json',
  'worker-configuration.d.ts',
  '.dev.vars',
];

/** Copies the sources into `dir` and answers a short hash of their content, to tell runs apart. */
function snapshot(dir) {
  const hash = createHash('sha256');
  const files = (path) =>
    readdirSync(path, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? files(join(path, entry.name)) : [join(path, entry.name)],
    );
  for (const source of SOURCES) {
    if (!existsSync(source)) continue;
    cpSync(source, join(dir, source), { recursive: true });
    const list =
      source === 'src' || source === 'migrations' ? files(join(dir, source)).sort() : [join(dir, source)];
    for (const file of list) hash.update(relative(dir, file)).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 12);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const within = (promise, ms) => Promise.race([promise, sleep(ms)]);

/**
 * Starts the gateway and resolves once `/health` answers (60 s at most). `vars` become `--var`
 * overrides; wrangler's output goes to `log`: at `logLevel` `error` (the default, for the load run:
 * printing costs throughput) only errors; at `log` the Worker's own log lines too (the chaos run,
 * whose failures are read in them).
 */
export async function startGateway({ port, state, vars = {}, log, logLevel = 'error' }) {
  rmSync(state, { recursive: true, force: true });
  const workerDir = absolute(state, 'worker');
  const data = absolute(state, 'data');
  mkdirSync(workerDir, { recursive: true });
  mkdirSync(data, { recursive: true });
  const version = snapshot(workerDir);
  execFileSync('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', data], {
    stdio: 'ignore',
    env: WRANGLER_ENV,
    cwd: workerDir,
  });
  const output = openSync(log, 'w');
  const worker = spawn(
    'wrangler',
    [
      'dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--persist-to',
      data,
      '--log-level',
      logLevel,
      ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
    ],
    { stdio: ['ignore', output, output], env: WRANGLER_ENV, detached: true, cwd: workerDir },
  );
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  const running = () => worker.exitCode === null && worker.signalCode === null;

  let stopping;
  const stop = () => {
    stopping ??= (async () => {
      for (const [signal, waitMs] of [
        ['SIGINT', 10_000],
        ['SIGKILL', 5_000],
      ]) {
        if (!running()) break;
        try {
          process.kill(-worker.pid, signal);
        } catch {}
        await within(exited, waitMs);
      }
    })();
    return stopping;
  };

  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (!running()) throw new Error(`wrangler dev exited early; see ${log}`);
    if (i > 300) {
      await stop();
      throw new Error(`wrangler dev did not start in 60 s; see ${log}`);
    }
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {}
    await sleep(200);
  }
  /**
   * How often `wrangler dev` reloaded the Worker since it started (logged at `logLevel` `info` or
   * more). The snapshot keeps edits to the sources out, but not a change under node_modules.
   */
  const reloads = () => (readFileSync(log, 'utf8').match(/Reloading local server/g) ?? []).length;
  return { base, stop, version, reloads };
}

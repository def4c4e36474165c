// A throwaway local gateway for the load and chaos runs: `wrangler dev` on its own port, with its
// own wiped `--persist-to` state and migrations applied, in its own process group so stopping it
// stops workerd too and nothing else. Loopback only.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, openSync, rmSync } from 'node:fs';
import { WRANGLER_ENV } from '../scripts/env.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const within = (promise, ms) => Promise.race([promise, sleep(ms)]);

/**
 * Starts the gateway and resolves once `/health` answers (60 s at most). `vars` become `--var`
 * overrides; wrangler's own output goes to `log`.
 */
export async function startGateway({ port, state, vars = {}, log }) {
  rmSync(state, { recursive: true, force: true });
  mkdirSync(state, { recursive: true });
  execFileSync('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state], {
    stdio: 'ignore',
    env: WRANGLER_ENV,
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
      state,
      '--log-level',
      'error',
      ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
    ],
    { stdio: ['ignore', output, output], env: WRANGLER_ENV, detached: true },
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
  return { base, stop };
}

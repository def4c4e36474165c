// `npm run bench`: CPU of the pure hot path (Node), binding calls and bytes per path (workerd), and
// HTTP throughput per path on loopback (wrangler dev) — each side by side, reported as ratios.
import { spawnSync } from 'node:child_process';
import { WRANGLER_ENV } from './env.mjs';

const steps = [
  ['vitest', ['bench', '--run', '--config', 'vitest.bench.config.ts']],
  ['vitest', ['run', '--config', 'vitest.cost.config.ts']],
  ['node', ['bench/load.mjs']],
];
let failed = false;
for (const [command, args] of steps) {
  console.log(`\n== ${command} ${args.join(' ')}`);
  failed ||= spawnSync(command, args, { stdio: 'inherit', env: WRANGLER_ENV }).status !== 0;
}
process.exit(failed ? 1 : 0);

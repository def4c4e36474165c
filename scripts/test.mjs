// `npm test`: everything CI checks, in one command. Static checks (generated types up to date,
// TypeScript, Biome lint + format, the Worker bundles for deploy), then the Node tests of the pure modules, then the integration
// tests inside workerd, then the end-to-end tests against `wrangler dev` (the dashboard in headless Chromium), then a short
// chaos run against `wrangler dev`. Ends with one
// `N passed, N failed` line; exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { WRANGLER_ENV } from './env.mjs';

mkdirSync('.tmp', { recursive: true });
const only = process.argv[2]; // `npm test -- node`, `-- workerd`, `-- e2e` or `-- chaos` runs one suite, for quick loops
let passed = 0;
let failed = 0;
const failures = [];

function run(name, command, args) {
  console.log(`\n== ${name}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: WRANGLER_ENV });
  return result.status === 0;
}

function check(name, command, args) {
  if (run(name, command, args)) passed++;
  else {
    failed++;
    failures.push(name);
  }
}

function suite(name, config) {
  const report = `.tmp/${name}.json`;
  rmSync(report, { force: true });
  const ok = run(name, 'vitest', [
    'run',
    '--config',
    config,
    '--reporter=default',
    '--reporter=json',
    `--outputFile=${report}`,
  ]);
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    passed += json.numPassedTests;
    failed += json.numFailedTests;
    // A suite that crashed before running its tests must not pass silently.
    if (!ok && json.numFailedTests === 0) {
      failed++;
      failures.push(`${name} (runner failed)`);
    } else if (json.numFailedTests > 0) failures.push(`${name} (${json.numFailedTests} failed)`);
  } catch {
    failed++;
    failures.push(`${name} (no report)`);
  }
}

if (!only) {
  check('types', 'wrangler', ['types', '--strict-vars=false', '--env-file', '.dev.vars.example', '--check']);
  check('typecheck', 'tsc', ['--noEmit']);
  check('typecheck (node tests)', 'tsc', ['--noEmit', '-p', 'test/node']);
  check('lint + format', 'biome', ['check', '.']);
  check('bundle (wrangler deploy --dry-run)', 'wrangler', [
    'deploy',
    '--dry-run',
    '--minify',
    '--outdir',
    '.tmp/dist',
  ]);
}
if (!only || only === 'node') suite('node', 'vitest.node.config.ts');
if (!only || only === 'workerd') suite('workerd', 'vitest.config.ts');
if (!only || only === 'e2e') suite('e2e', 'vitest.e2e.config.ts');
// The scale chaos run's short version (300 leads through faults and an outage, about 80 s): one
// check, passing only when every one of its accounting checks does. The 10,000-lead run is
// `npm run chaos:scale`, not part of CI.
if (!only || only === 'chaos')
  check('chaos run, 300 leads (bench/chaos-scale.mjs --ci)', process.execPath, [
    'bench/chaos-scale.mjs',
    '--ci',
  ]);

if (failures.length) console.log(`\nfailed: ${failures.join(', ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

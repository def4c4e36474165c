// Shared by the dev and helper scripts: .dev.vars handling and a quiet, offline wrangler.
import { appendFileSync, copyFileSync, existsSync, readFileSync } from 'node:fs';

/** Keeps wrangler from calling home: no telemetry, no Request.cf lookup. */
export const WRANGLER_ENV = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
};

/** Creates .dev.vars from the example, or adds the example's variables a older copy lacks. */
export function ensureDevVars() {
  if (!existsSync('.dev.vars')) {
    copyFileSync('.dev.vars.example', '.dev.vars');
    console.log('[inlet] created .dev.vars from .dev.vars.example');
    return;
  }
  const mine = readDevVars('.dev.vars');
  const missing = Object.entries(readDevVars('.dev.vars.example')).filter(([name]) => !(name in mine));
  if (missing.length > 0) {
    appendFileSync('.dev.vars', `\n${missing.map(([name, value]) => `${name}=${value}`).join('\n')}\n`);
    console.log(
      `[inlet] added to .dev.vars from .dev.vars.example: ${missing.map(([name]) => name).join(', ')}`,
    );
  }
}

/** Parses .dev.vars (KEY=value lines, # comments). */
export function readDevVars(path = '.dev.vars') {
  const vars = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line);
    if (match) vars[match[1]] = match[2].replace(/^"(.*)"$/, '$1');
  }
  return vars;
}

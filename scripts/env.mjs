// Shared by the dev and helper scripts: .dev.vars handling and a quiet, offline wrangler.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';

/** Keeps wrangler from calling home: no telemetry, no Request.cf lookup. */
export const WRANGLER_ENV = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
};

export function ensureDevVars() {
  if (!existsSync('.dev.vars')) {
    copyFileSync('.dev.vars.example', '.dev.vars');
    console.log('[inlet] created .dev.vars from .dev.vars.example');
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

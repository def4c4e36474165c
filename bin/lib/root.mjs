/**
 * Where the project lives: .dev.vars, inlet.config.ts and the sample fixtures are read from the
 * repository the CLI belongs to, never from the caller's directory, so `inlet` works from anywhere
 * while a payload file argument stays relative to where the user typed it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readDevVars } from '../../scripts/env.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const rootPath = (relative) => `${ROOT}${relative}`;

export const version = () => JSON.parse(readFileSync(rootPath('package.json'), 'utf8')).version;

let devVars;

/**
 * The local development values, or none. Never created here: `npm run dev` creates .dev.vars, and
 * a CLI that wrote files as a side effect of `inlet events` would surprise.
 */
export function localVars() {
  if (devVars === undefined) {
    try {
      devVars = readDevVars(rootPath('.dev.vars'));
    } catch {
      devVars = {};
    }
  }
  return devVars;
}

/**
 * Structured logs, one JSON object per line, as Workers Logs indexes them. Callers pass ids,
 * codes and counts only: never a body, a header value, a secret, an email or a phone.
 *
 * `LOG_LEVEL` (info, the default; warn; error) drops the levels below it. Workers Logs bills per
 * line, and at `info` every request and every delivery attempt is one; under `wrangler dev` each
 * line also costs the local runtime more than the request itself (docs/benchmarks.md).
 */
type Fields = Record<string, string | number | boolean | undefined | null>;
type Level = 'info' | 'warn' | 'error';

const RANK: Record<Level, number> = { info: 0, warn: 1, error: 2 };
let threshold = 0;

/** Set from the Worker's vars by each entry point (requests, queues, the cron): one value per isolate. */
export function setLogLevel(level: string | undefined): void {
  threshold = RANK[level as Level] ?? 0;
}

function write(level: Level, message: string, fields: Fields): void {
  if (RANK[level] < threshold) return;
  const line = JSON.stringify({ level, message, ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

export const log = {
  info: (message: string, fields: Fields = {}) => write('info', message, fields),
  warn: (message: string, fields: Fields = {}) => write('warn', message, fields),
  error: (message: string, fields: Fields = {}) => write('error', message, fields),
};

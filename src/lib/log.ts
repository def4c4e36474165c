/**
 * Structured logs, one JSON object per line, as Workers Logs indexes them. Callers pass ids,
 * codes and counts only: never a body, a header value, a secret, an email or a phone.
 */
type Fields = Record<string, string | number | boolean | undefined | null>;

function write(level: 'info' | 'warn' | 'error', message: string, fields: Fields): void {
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

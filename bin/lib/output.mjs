/**
 * Terminal output: colour only on a TTY and never under NO_COLOR (https://no-color.org), tables
 * sized to the terminal, and the one status line a long wait rewrites in place instead of printing
 * a line per poll.
 */

let colourOverride;

/** `--no-color` on the command line wins over the environment. */
export const disableColour = () => {
  colourOverride = false;
};

const wantsColour = (stream) =>
  colourOverride !== false && Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';

const SGR = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36 };

/** Colour functions for one stream: identity functions when that stream gets no colour. */
export function paint(stream = process.stdout) {
  const on = wantsColour(stream);
  return Object.fromEntries(
    Object.entries(SGR).map(([name, code]) => [
      name,
      (text) => (on ? `\x1b[${code}m${text}\x1b[0m` : String(text)),
    ]),
  );
}

// Escape sequences take no room on screen; widths and truncation must not count them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escapes paint() writes
const ANSI = /\x1b\[[0-9;]*m/g;
export const visibleLength = (text) => String(text).replace(ANSI, '').length;

const padEnd = (text, width) => `${text}${' '.repeat(Math.max(0, width - visibleLength(text)))}`;
const padStart = (text, width) => `${' '.repeat(Math.max(0, width - visibleLength(text)))}${text}`;

/** Cuts plain or coloured text to `width` visible characters, marking the cut with an ellipsis. */
export function truncate(text, width) {
  const plain = String(text);
  if (visibleLength(plain) <= width) return plain;
  if (width <= 1) return '…'.slice(0, width);
  let shown = 0;
  let result = '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: splitting on the escapes paint() writes
  for (const part of plain.split(/(\x1b\[[0-9;]*m)/)) {
    if (part.startsWith('\x1b[')) {
      result += part;
      continue;
    }
    const room = width - 1 - shown;
    if (room <= 0) continue;
    result += part.slice(0, room);
    shown += Math.min(part.length, room);
  }
  return `${result}…${plain.includes('\x1b[') ? '\x1b[0m' : ''}`;
}

const STATUS_COLOUR = {
  delivered: 'green',
  active: 'green',
  done: 'green',
  partial: 'yellow',
  retrying: 'yellow',
  held: 'yellow',
  paused: 'yellow',
  unrouted: 'yellow',
  running: 'cyan',
  queued: 'cyan',
  routing: 'cyan',
  delivering: 'cyan',
  dead: 'red',
  invalid: 'red',
  canceled: 'red',
  merged: 'dim',
  ignored: 'dim',
};

/** An event, delivery, destination or job status in its colour. */
export const status = (c, value) => (STATUS_COLOUR[value] ? c[STATUS_COLOUR[value]](value) : String(value));

/**
 * Rows as aligned columns. `columns`: `{ header, value(row), align?: 'right', flex?: true }`. On a
 * TTY the flexible column (a last error, say) is cut to fit the terminal, so a row stays one line;
 * piped output keeps every character for grep.
 */
export function table(rows, columns, stream = process.stdout) {
  const c = paint(stream);
  const cells = rows.map((row) => columns.map((column) => String(column.value(row) ?? '')));
  const widths = columns.map((column, i) =>
    Math.max(visibleLength(column.header), ...cells.map((line) => visibleLength(line[i]))),
  );
  const flex = columns.findIndex((column) => column.flex);
  if (stream.isTTY && stream.columns && flex >= 0) {
    const others = widths.reduce((sum, w, i) => (i === flex ? sum : sum + w + 2), 0);
    widths[flex] = Math.max(
      visibleLength(columns[flex].header),
      Math.min(widths[flex], stream.columns - others),
    );
  }
  const line = (values) =>
    values
      .map((value, i) => {
        const text = i === flex ? truncate(value, widths[i]) : value;
        return columns[i].align === 'right' ? padStart(text, widths[i]) : padEnd(text, widths[i]);
      })
      .join('  ')
      .trimEnd();
  return [c.bold(line(columns.map((column) => column.header))), ...cells.map(line)].join('\n');
}

/**
 * One line rewritten as a wait goes on. On a TTY every update replaces the line (cut to the
 * terminal's width, since a wrapped line cannot be rewritten with `\r`); elsewhere updates are
 * dropped and only `done` prints, so a log or a pipe receives the outcome, not the polling.
 */
export class StatusLine {
  constructor(stream = process.stdout) {
    this.stream = stream;
    this.live = Boolean(stream.isTTY);
    this.shown = false;
  }

  update(text) {
    if (!this.live) return;
    const width = (this.stream.columns || 80) - 1;
    this.stream.write(`\r\x1b[2K${truncate(text, width)}`);
    this.shown = true;
  }

  /** Leaves the line as it is and moves below it (before a question, say). */
  break() {
    if (this.shown) this.stream.write('\n');
    this.shown = false;
  }

  done(text) {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.stream.write(`${text}\n`);
    this.shown = false;
  }
}

/** `1 attempt`, `3 attempts`. */
export const plural = (n, word, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

/** `2026-12-03 10:42:01` (UTC, as the API stores it), or `-`. */
export function time(iso) {
  if (!iso) return '-';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '');
}

/** `850 ms`, `2.4 s`, `3 min 5 s`. */
export function duration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(Number(ms))) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A proportion as `92%`, or `-` when there is nothing to divide by. */
export const percent = (part, whole) => (whole > 0 ? `${Math.round((part / whole) * 100)}%` : '-');

/** Pretty JSON on stdout: what `--json` prints, for jq. */
export const printJson = (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

export const print = (text = '') => process.stdout.write(`${text}\n`);
export const note = (text) => process.stderr.write(`${text}\n`);

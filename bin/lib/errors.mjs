/**
 * The CLI's one error type. Every failure becomes a CliError with its exit code, and bin/inlet.mjs
 * is the one place that prints it, so each command only says what went wrong and what to do.
 */

/** Exit codes scripts can branch on; documented in docs/cli.md. */
export const EXIT = {
  ok: 0,
  /** The operation failed: not found, refused, ended dead. */
  failed: 1,
  usage: 2,
  unreachable: 3,
  unauthorized: 4,
  /** 128 + SIGINT, as shells report a Ctrl-C. */
  interrupted: 130,
};

export class CliError extends Error {
  /**
   * @param {number} exitCode
   * @param {string} message one line, never a secret
   * @param {{ hint?: string, issues?: { path?: string, message: string }[], status?: number }} [extra]
   *   `status`: the HTTP status of the answer that failed, when one did
   */
  constructor(exitCode, message, extra = {}) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.hint = extra.hint;
    this.issues = extra.issues;
    this.status = extra.status;
  }
}

/** A mistake in the command line: exit 2, with a pointer to the command's help. */
export const usageError = (message, command) =>
  new CliError(EXIT.usage, message, { hint: `see \`inlet ${command ? `${command} ` : ''}--help\`` });

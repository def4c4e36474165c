/**
 * The command line as a function: `run(argv)` dispatches to a command and returns the exit code,
 * printing any error the one way errors are printed. bin/inlet.mjs calls it; so does the
 * `npm run send` script, with `send` in front.
 */
import { splitCommand } from './args.mjs';
import { CliError, EXIT, usageError } from './errors.mjs';
import { disableColour, paint } from './output.mjs';
import { version } from './root.mjs';

/** Each command's module is loaded only when it runs: `inlet events` never reads the config. */
const COMMANDS = {
  send: () => import('./commands/send.mjs'),
  events: () => import('./commands/events.mjs'),
  show: () => import('./commands/show.mjs'),
  replay: () => import('./commands/replay.mjs'),
  stats: () => import('./commands/stats.mjs'),
  erase: () => import('./commands/erase.mjs'),
  destinations: async () => {
    const m = await import('./commands/destinations.mjs');
    return { ...m, run: m.list };
  },
  pause: async () => {
    const m = await import('./commands/destinations.mjs');
    return { ...m, summary: m.pauseSummary, run: m.pause };
  },
  resume: async () => {
    const m = await import('./commands/destinations.mjs');
    return { ...m, summary: m.resumeSummary, run: m.resume };
  },
};

async function overview() {
  const lines = [];
  for (const [name, load] of Object.entries(COMMANDS))
    lines.push(`  ${name.padEnd(13)} ${(await load()).summary}`);
  return `inlet ${version()}: the command line of an Inlet webhook gateway

usage: inlet <command> [options]

commands:
${lines.join('\n')}
  help [cmd]    this help, or a command's

every command takes:
  --url URL      the gateway (default $INLET_URL, else http://127.0.0.1:8787, \`npm run dev\`)
  --json         machine-readable output: the API's answer
  --no-color     no colour (also NO_COLOR=1; colour is only ever used on a terminal)
  -h, --help     the command's help

The admin token is $INLET_ADMIN_TOKEN (or $ADMIN_TOKEN), else ADMIN_TOKEN of .dev.vars for a
local gateway. exit: 0 ok, 1 the operation failed, 2 usage, 3 gateway unreachable, 4 unauthorized.
Reference: docs/cli.md`;
}

async function help(name) {
  if (!name) return overview();
  const load = COMMANDS[name];
  if (!load) throw usageError(`no command ${name}`);
  const command = await load();
  return `${command.usage}${name === 'send' ? await command.sourcesHelp() : ''}`;
}

/** Runs the command line (without `node inlet.mjs`); returns the exit code. */
async function main(argv) {
  if (argv.includes('--no-color')) disableColour();
  if (argv[0] === '--version' || argv[0] === '-v' || argv[0] === 'version') {
    process.stdout.write(`inlet ${version()}\n`);
    return EXIT.ok;
  }
  const { command, rest } = splitCommand(argv);
  if (command === 'help') {
    process.stdout.write(`${await help(rest.find((arg) => !arg.startsWith('-')))}\n`);
    return EXIT.ok;
  }
  if (!command) {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${await overview()}\n`);
      return EXIT.ok;
    }
    throw usageError(rest.length ? `no command before ${rest[0]}` : 'which command? e.g. `inlet events`');
  }
  const load = COMMANDS[command];
  if (!load) throw usageError(`no command ${command}`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${await help(command)}\n`);
    return EXIT.ok;
  }
  return (await load()).run(rest);
}

/** The one place errors are printed: `error: <what>`, the issues, then what to do. */
function report(error) {
  const c = paint(process.stderr);
  if (!(error instanceof CliError)) {
    process.stderr.write(`${c.red('error:')} ${error?.stack ?? error}\n`);
    return EXIT.failed;
  }
  const lines = [`${c.red('error:')} ${error.message}`];
  for (const issue of error.issues ?? []) {
    lines.push(`  - ${issue.path ? `${issue.path}: ` : ''}${issue.message ?? JSON.stringify(issue)}`);
  }
  if (error.hint) lines.push(c.dim(`hint: ${error.hint}`));
  process.stderr.write(`${lines.join('\n')}\n`);
  return error.exitCode;
}

/** Runs the command line (without `node inlet.mjs`); resolves with the exit code, never rejects. */
export const run = (argv) => main(argv).catch(report);

/**
 * `inlet replay`: one event or a few by id, or every event matching filters as a bulk replay job
 * (`POST /admin/replay-jobs`) followed on a progress bar; Ctrl-C asks whether to cancel it.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { FILTER_HELP, FILTER_OPTIONS, filters, parse } from '../args.mjs';
import { CliError, EXIT, usageError } from '../errors.mjs';
import { adminClient, gatewayUrl, problemError } from '../gateway.mjs';
import { duration, note, paint, percent, plural, print, printJson, StatusLine, status } from '../output.mjs';

export const summary = 'replay events by id, or in bulk by filter with a progress bar';

export const usage = `usage: inlet replay <event-id>... [--destination D] [--all]
       inlet replay [filters] [--destination D] [--all] [--detach]
       inlet replay --job ID [--cancel]

By id: routes each event again and attempts its deliveries that did not end delivered.
By filter: starts a replay job over every event matching now (never later arrivals), and
shows its progress until done. Ctrl-C asks whether to cancel the job; --detach prints the
job's id and returns at once; --job follows (or with --cancel, cancels) a job.

filters (at least one):
${FILTER_HELP}

options:
  --destination D  replay that destination's delivery only (even when delivered); with filters,
                   also only events with a delivery to D
  --all            deliver again where a delivery was delivered already
  --detach         start the job and print its id, without following it
  --job ID         follow a job; with --cancel, cancel it (a chunk under way finishes)
  --url URL        the gateway (default $INLET_URL, else http://127.0.0.1:8787)
  --json           the API's answer (for a job, its final state)

exit: 0 replayed or job done, 1 nothing replayed (a consumer holds it) or job canceled,
130 Ctrl-C (the job is left running unless you cancel it).`;

const OPTIONS = {
  ...FILTER_OPTIONS,
  all: { type: 'boolean' },
  detach: { type: 'boolean' },
  job: { type: 'string' },
  cancel: { type: 'boolean' },
};

const POLL_MS = process.env.INLET_POLL_MS ? Number(process.env.INLET_POLL_MS) : 1000;
const BAR = 24;

async function replayIds(client, ids, values) {
  if (ids.length > 1 && values.destination) {
    throw usageError('--destination replays one event; give one id, or use filters', 'replay');
  }
  const answer =
    ids.length === 1
      ? await client.request('POST', `/events/${encodeURIComponent(ids[0])}/replay`, {
          query: { destination: values.destination, all: values.all ? 'true' : undefined },
        })
      : await client.request('POST', '/replay', { body: { ids, ...(values.all ? { all: true } : {}) } });
  if (answer.status === 409) {
    if (answer.body?.detail) throw problemError(answer.response, answer.body, 'replay');
    throw new CliError(EXIT.failed, 'nothing was replayed: a consumer holds the event right now (conflict)', {
      hint: 'try again in a moment',
    });
  }
  if (!answer.ok) throw problemError(answer.response, answer.body, 'replay');
  if (values.json) {
    printJson(answer.body);
    return EXIT.ok;
  }
  const replayed = answer.body?.replayed ?? [];
  if (replayed.length === 0) {
    print('nothing was replayed.');
    return EXIT.failed;
  }
  for (const id of replayed) print(`replayed ${id}`);
  const missed = ids.filter((id) => !replayed.includes(id));
  if (missed.length) note(`not replayed (held by a consumer, or nothing to redo): ${missed.join(', ')}`);
  note(paint(process.stderr).dim(`follow: inlet show ${replayed[0]}`));
  return EXIT.ok;
}

/** `rpj_… running [██████░░░░] 30%  360/1200 replayed · 0 skipped · 12 s`. */
function progress(c, job) {
  const handled = (job.replayed ?? 0) + (job.skipped ?? 0);
  const share = job.matched > 0 ? Math.min(1, handled / job.matched) : 1;
  const filled = Math.round(share * BAR);
  const bar = `[${c.green('█'.repeat(filled))}${c.dim('░'.repeat(BAR - filled))}]`;
  const elapsed = Date.parse(job.finished_at ?? new Date().toISOString()) - Date.parse(job.created_at);
  return `${job.id} ${status(c, job.status)} ${bar} ${percent(handled, job.matched).padStart(4)}  ${job.replayed ?? 0}/${job.matched ?? 0} replayed · ${job.skipped ?? 0} skipped${Number.isNaN(elapsed) ? '' : ` · ${duration(elapsed)}`}`;
}

/** The line a finished job leaves. */
function finished(c, job) {
  const elapsed = Date.parse(job.finished_at ?? job.updated_at) - Date.parse(job.created_at);
  const took = Number.isNaN(elapsed) ? '' : ` in ${duration(elapsed)}`;
  if (job.matched === 0) return `${job.id} ${status(c, job.status)}: no events matched`;
  return `${job.id} ${status(c, job.status)}: ${job.replayed} of ${job.matched} replayed, ${job.skipped ?? 0} skipped${took}`;
}

/** Asks a yes/no question on the terminal; a second Ctrl-C or the end of input is "no answer". */
function ask(question) {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    let answered = false;
    const done = (answer) => {
      if (answered) return;
      answered = true;
      rl.close();
      resolve(answer);
    };
    rl.on('SIGINT', () => done(null));
    rl.on('close', () => done(null));
    rl.question(question, (answer) => done(answer));
  });
}

/**
 * Follows a job until it is no longer running. Ctrl-C interrupts the wait: on a terminal it asks
 * whether to cancel; elsewhere (nobody to ask) it leaves the job running and says how to resume.
 */
async function followJob(client, job, values) {
  const c = paint(process.stdout);
  const line = values.json ? new StatusLine({ isTTY: false, write() {} }) : new StatusLine(process.stdout);
  const leave = (id) =>
    note(
      `left job ${id} running: follow it with \`inlet replay --job ${id}\`, cancel it with \`inlet replay --job ${id} --cancel\``,
    );
  let wake;
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    wake?.();
  };
  process.on('SIGINT', onSigint);
  try {
    while (job.status === 'running') {
      line.update(progress(c, job));
      await new Promise((resolve) => {
        wake = resolve;
        setTimeout(resolve, POLL_MS);
      });
      if (interrupted) {
        interrupted = false;
        line.break();
        if (!process.stdin.isTTY) {
          leave(job.id);
          return EXIT.interrupted;
        }
        const answer = await ask(`cancel replay job ${job.id}? [y/N] `);
        if (answer === null) {
          process.stderr.write('\n');
          leave(job.id);
          return EXIT.interrupted;
        }
        if (/^y(es)?$/i.test(answer.trim())) {
          ({ job } = await client.post(`/replay-jobs/${encodeURIComponent(job.id)}/cancel`));
          if (values.json) printJson({ job });
          else line.done(`${finished(c, job)} (a chunk under way finishes)`);
          return EXIT.interrupted;
        }
      }
      ({ job } = await client.get(`/replay-jobs/${encodeURIComponent(job.id)}`));
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (values.json) printJson({ job });
  else line.done(finished(c, job));
  if (job.status === 'done' && job.skipped > 0 && !values.json) {
    note(`${job.skipped} events were held by a consumer and skipped: run the same replay again for them`);
  }
  return job.status === 'done' ? EXIT.ok : EXIT.failed;
}

/** Starts a job; the idempotency key makes a retry after a lost answer find the same job. */
async function startJob(client, filter, values) {
  const key = randomUUID();
  const body = {
    filter,
    ...(values.all ? { all: true } : {}),
    ...(values.destination ? { destination: values.destination } : {}),
  };
  const post = () => client.post('/replay-jobs', { body, headers: { 'idempotency-key': key } });
  try {
    return (await post()).job;
  } catch (error) {
    // Sent but unanswered, or a gateway error on the way: the same key cannot start a second job.
    if (error.exitCode !== EXIT.unreachable && !(error.status >= 500)) throw error;
    return (await post()).job;
  }
}

export async function run(argv) {
  const { values, positionals } = parse('replay', argv, OPTIONS);
  const filter = filters('replay', values);
  const client = adminClient(gatewayUrl(values.url));

  if (values.job) {
    if (positionals.length || Object.keys(filter).length || values.all || values.detach) {
      throw usageError('--job takes no event ids, filters, --all or --detach', 'replay');
    }
    const path = `/replay-jobs/${encodeURIComponent(values.job)}`;
    if (values.cancel) {
      const { job } = await client.post(`${path}/cancel`);
      if (values.json) printJson({ job });
      else
        print(
          `${finished(paint(process.stdout), job)}${job.status === 'canceled' ? ' (a chunk under way finishes)' : ''}`,
        );
      return EXIT.ok;
    }
    const { job } = await client.get(path);
    return followJob(client, job, values);
  }
  if (values.cancel) throw usageError('--cancel needs --job ID', 'replay');

  if (positionals.length) {
    // --destination with an id names the delivery to replay, not a filter.
    if (Object.keys(filter).some((key) => key !== 'destination')) {
      throw usageError('give event ids or filters, not both', 'replay');
    }
    if (values.detach) throw usageError('--detach is for a replay by filter', 'replay');
    if (positionals.length > 500) throw usageError('at most 500 ids at once: use filters for more', 'replay');
    return replayIds(client, positionals, values);
  }
  if (Object.keys(filter).length === 0) {
    throw usageError('replay what? give an event id, filters (e.g. --status dead), or --job ID', 'replay');
  }
  const job = await startJob(client, filter, values);
  if (values.detach) {
    if (values.json) printJson({ job });
    else {
      print(job.id);
      note(
        `started replay job ${job.id} (${plural(job.matched, 'event')} matched): follow it with \`inlet replay --job ${job.id}\``,
      );
    }
    return EXIT.ok;
  }
  if (!values.json) note(`started replay job ${job.id}: ${plural(job.matched, 'event')} matched`);
  return followJob(client, job, values);
}

/** Bulk replay jobs: the list, and one job's live progress with its cancel button. */
import type { FC } from 'hono/jsx';
import type { ReplayJob } from '../api';
import { Badge, Card, Empty, type Flash, Layout, num, PageHead, PostButton, Time } from '../components';
import { FILTER_LABELS, type Filter, jobFilter, withFilter } from '../filters';

const FilterSummary: FC<{ job: ReplayJob }> = ({ job }) => {
  const filter = jobFilter(job.filter);
  const entries = Object.entries(filter);
  return (
    <span>
      {entries.length === 0
        ? 'every event'
        : entries.map(([key, value], i) => (
            <>
              {i > 0 ? ', ' : ''}
              <span class="muted">{FILTER_LABELS[key as keyof Filter].toLowerCase()}</span>{' '}
              <code>{value}</code>
            </>
          ))}
      {job.destination ? (
        <>
          {' '}
          → <code>{job.destination}</code> only
        </>
      ) : null}
      {job.all ? ' (delivered ones too)' : ''}
    </span>
  );
};

/** Done and skipped against matched, as a bar the page's script moves while the job runs. */
const Progress: FC<{ job: ReplayJob }> = ({ job }) => {
  const pct = job.matched ? Math.min(100, (100 * (job.replayed + job.skipped)) / job.matched) : 100;
  return (
    <svg class="progress" viewBox="0 0 100 14" preserveAspectRatio="none" role="img" aria-label="Progress">
      <rect class="track" x="0" y="0" width="100%" height="14" />
      <rect class="fill" x="0" y="0" width={`${pct}%`} height="14" />
    </svg>
  );
};

export const JobPage: FC<{ job: ReplayJob; csrf: string; flash?: Flash | undefined; now: number }> = ({
  job,
  csrf,
  flash,
  now,
}) => {
  const pct = job.matched ? Math.floor((100 * (job.replayed + job.skipped)) / job.matched) : 100;
  return (
    <Layout title={`Replay ${job.id}`} active="replays" csrf={csrf} flash={flash}>
      <PageHead
        title={
          <>
            Bulk replay <span class="mono">{job.id}</span>
          </>
        }
        sub={
          <>
            Started <Time iso={job.created_at} now={now} /> · <FilterSummary job={job} />
          </>
        }
        actions={
          <>
            <a class="btn ghost" href="/admin/ui/replay-jobs">
              ← All replays
            </a>
            <a class="btn" href={withFilter('/admin', jobFilter(job.filter))}>
              See these events
            </a>
          </>
        }
      />
      <div
        class="stack"
        data-job-poll={`/admin/ui/replay-jobs/${job.id}/progress`}
        data-status={job.status}
        data-testid="job"
      >
        <Card>
          <div class="card-body stack">
            <div class="actions">
              <span
                class={`badge ${job.status === 'done' ? 'ok' : job.status === 'running' ? 'info' : 'warn'}`}
                data-field="status"
                data-testid="job-status"
              >
                {job.status}
              </span>
              <strong data-field="percent">{`${pct}%`}</strong>
              {job.status === 'running' ? (
                <span data-while-running>
                  <PostButton
                    action={`/admin/ui/replay-jobs/${job.id}/cancel`}
                    csrf={csrf}
                    label="Cancel"
                    class="danger small"
                    confirm="Stop this replay after the chunk under way?"
                    testid="cancel-job"
                  />
                </span>
              ) : null}
            </div>
            <Progress job={job} />
            <div class="stats">
              <div class="stat">
                <div class="label">Matched</div>
                <div class="value" data-field="matched">
                  {num(job.matched)}
                </div>
              </div>
              <div class="stat">
                <div class="label">Replayed</div>
                <div class="value ok" data-field="replayed" data-testid="job-replayed">
                  {num(job.replayed)}
                </div>
              </div>
              <div class="stat">
                <div class="label">Skipped (held by a consumer)</div>
                <div class="value warn" data-field="skipped">
                  {num(job.skipped)}
                </div>
              </div>
            </div>
            <p class="note">
              Replayed events are back in the queue; each one's deliveries then run as usual. Skipped events
              were being handled at that moment: replay them again with another job if they still need it.
            </p>
          </div>
        </Card>
      </div>
    </Layout>
  );
};

export const JobsPage: FC<{
  jobs: ReplayJob[];
  next: string | null;
  csrf: string;
  flash?: Flash | undefined;
  now: number;
}> = ({ jobs, next, csrf, flash, now }) => (
  <Layout title="Replays" active="replays" csrf={csrf} flash={flash}>
    <PageHead
      title="Bulk replays"
      sub="Start one from the events page: filter, then “Start bulk replay”."
      actions={
        <a class="btn" href="/admin?status=dead">
          Dead events →
        </a>
      }
    />
    <Card>
      {jobs.length === 0 ? (
        <Empty title="No bulk replay yet">
          After an outage, filter the events table to the dead ones and replay them all at once.
        </Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Started</th>
                <th>Job</th>
                <th>Status</th>
                <th>Filter</th>
                <th class="num">Replayed</th>
                <th class="num opt">Skipped</th>
                <th class="num">Matched</th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((job) => (
                <tr>
                  <td>
                    <Time iso={job.created_at} now={now} />
                  </td>
                  <td>
                    <a class="id" href={`/admin/ui/replay-jobs/${job.id}`}>
                      {job.id}
                    </a>
                  </td>
                  <td>
                    <Badge status={job.status} />
                  </td>
                  <td>
                    <FilterSummary job={job} />
                  </td>
                  <td class="num">{num(job.replayed)}</td>
                  <td class="num opt">{num(job.skipped)}</td>
                  <td class="num">{num(job.matched)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {next ? (
            <div class="pager">
              <span />
              <a class="btn small" href={`/admin/ui/replay-jobs?cursor=${encodeURIComponent(next)}`}>
                Older →
              </a>
            </div>
          ) : null}
        </div>
      )}
    </Card>
  </Layout>
);

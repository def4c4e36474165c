/**
 * Erasing a person, in two steps: say who, see what Inlet holds about them, then confirm. The
 * confirmation repeats the identifier, so what is erased is what the operator read.
 */
import type { FC } from 'hono/jsx';
import type { Erased } from '../api';
import { Card, Csrf, type Flash, Layout, num, PageHead } from '../components';

export interface Who {
  email?: string | undefined;
  phone?: string | undefined;
}

const describe = (who: Who) => (who.email ? `email ${who.email}` : `phone ${who.phone}`);

export const EraseForm: FC<{
  csrf: string;
  flash?: Flash | undefined;
  error?: string | undefined;
  who?: Who;
}> = ({ csrf, flash, error, who = {} }) => (
  <Layout title="Erase a person" active="erase" csrf={csrf} flash={flash}>
    <PageHead
      title="Erase a person"
      sub="For a deletion request: removes the person and everything held about them. The daily counts in the stats stay; they hold no personal data."
    />
    <Card>
      <form method="post" action="/admin/ui/erase" class="card-body stack">
        <Csrf token={csrf} />
        {error ? <div class="callout">{error}</div> : null}
        <div class="filters">
          <label class="field">
            Email
            <input
              type="email"
              name="email"
              value={who.email ?? ''}
              placeholder="ada@example.com"
              autocomplete="off"
            />
          </label>
          <label class="field">
            or phone
            <input
              type="tel"
              name="phone"
              value={who.phone ?? ''}
              placeholder="+1 415 555 0100"
              autocomplete="off"
            />
          </label>
          <div class="buttons">
            <button type="submit" class="btn" data-testid="erase-lookup">
              Continue…
            </button>
          </div>
        </div>
        <p class="note">
          The email or phone is normalised as a lead's would be and matched through its hash; nothing is
          deleted before you confirm on the next page.
        </p>
      </form>
    </Card>
  </Layout>
);

export const EraseConfirm: FC<{ csrf: string; who: Who; events: number; more: boolean }> = ({
  csrf,
  who,
  events,
  more,
}) => (
  <Layout title="Confirm erasure" active="erase" csrf={csrf}>
    <PageHead
      title="Confirm erasure"
      sub={`Everything Inlet holds about the person with ${describe(who)}.`}
    />
    <Card>
      <form method="post" action="/admin/ui/erase/confirm" class="card-body stack">
        <Csrf token={csrf} />
        {who.email ? <input type="hidden" name="email" value={who.email} /> : null}
        {who.phone ? <input type="hidden" name="phone" value={who.phone} /> : null}
        <div class="callout">
          {events === 0 ? (
            <>
              No stored event belongs to this person. Erasing still removes the person record, if there is
              one.
            </>
          ) : (
            <>
              <strong data-testid="erase-count">
                {num(events)}
                {more ? '+' : ''} event{events === 1 ? '' : 's'}
              </strong>{' '}
              will be deleted with their payloads, headers, leads, deliveries, attempts, CRM record links and
              alert samples.
            </>
          )}{' '}
          This cannot be undone. Records already in your CRMs stay there: erase them in each CRM too.
        </div>
        <label class="check">
          <input type="checkbox" name="confirm" value="yes" required data-testid="erase-confirm" /> I
          understand; erase the person with {describe(who)}.
        </label>
        <div class="actions">
          <button type="submit" class="btn danger solid" data-testid="erase-submit">
            Erase permanently
          </button>
          <a class="btn ghost" href="/admin/ui/erase">
            Cancel
          </a>
        </div>
      </form>
    </Card>
  </Layout>
);

export const EraseDone: FC<{ csrf: string; who: Who; result: Erased }> = ({ csrf, who, result }) => (
  <Layout title="Erased" active="erase" csrf={csrf}>
    <PageHead title={result.erased ? 'Erased' : 'Nobody matched'} sub={describe(who)} />
    <Card>
      <div class="card-body stack" data-testid="erase-result">
        {result.erased ? (
          <div class="flash ok">
            {num(result.people)} person{result.people === 1 ? '' : 's'} and everything held about them
            deleted.
          </div>
        ) : (
          <div class="flash info">No person matched: nothing was held, nothing was deleted.</div>
        )}
        <dl class="meta">
          {Object.entries(result.deleted).map(([what, count]) => (
            <>
              <dt>{what.replaceAll('_', ' ')}</dt>
              <dd>{num(count)}</dd>
            </>
          ))}
        </dl>
        <div>
          <a class="btn" href="/admin/ui/erase">
            Erase another
          </a>
        </div>
      </div>
    </Card>
  </Layout>
);

/**
 * Replaying an alert group's events (from Slack's button or the admin API): the deliveries it is
 * about, sent through again; those that have been delivered since are left alone.
 */
import { replay } from '../pipeline/replay';

export interface GroupReplay {
  found: boolean;
  kind?: string;
  replayed: string[];
}

export async function replayGroup(env: Env, groupId: string): Promise<GroupReplay> {
  const group = await env.DB.prepare('SELECT kind FROM alert_groups WHERE id = ?1')
    .bind(groupId)
    .first<{ kind: string }>();
  if (!group) return { found: false, replayed: [] };
  const { results } = await env.DB.prepare(
    'SELECT DISTINCT event_id FROM alert_events WHERE group_id = ?1 LIMIT 5000',
  )
    .bind(groupId)
    .all<{ event_id: string }>();
  const ids = results.map((row) => row.event_id);
  const replayed: string[] = [];
  for (let i = 0; i < ids.length; i += 500) replayed.push(...(await replay(env, ids.slice(i, i + 500))));
  return { found: true, kind: group.kind, replayed };
}

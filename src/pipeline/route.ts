/**
 * Which destinations a lead goes to: every route of its source whose `when` matches the lead.
 * Pure, so the same answer comes from the consumer, a replay and the tests.
 */
import type { RouteConfig } from '../config/schema';
import { leadValue } from '../destinations/fields';
import type { Lead } from '../leads/lead';

const list = (names: string | readonly string[]): readonly string[] =>
  typeof names === 'string' ? [names] : names;

const patterns = new Map<string, RegExp>();

/** `webinar-*` → /^webinar-.*$/i: `*` is the only wildcard; matching ignores case, as people type campaigns. */
function pattern(glob: string): RegExp {
  let re = patterns.get(glob);
  if (!re) {
    re = new RegExp(`^${glob.split('*').map(escapeRegExp).join('.*')}$`, 'i');
    patterns.set(glob, re);
  }
  return re;
}
const escapeRegExp = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** Whether the lead satisfies a route's `when`: every key matches one of its patterns. */
export function matchesWhen(when: RouteConfig['when'], lead: Lead): boolean {
  if (!when) return true;
  return Object.entries(when).every(([path, globs]) => {
    const values =
      path === 'tags' ? lead.tags : [leadValue(lead, path as Parameters<typeof leadValue>[1])].flat();
    return values.some(
      (value) => value !== undefined && list(globs ?? []).some((glob) => pattern(glob).test(String(value))),
    );
  });
}

/** The destinations of the routes from `source` that match `lead`, each once, in configuration order. */
export function destinationsFor(routes: readonly RouteConfig[], source: string, lead: Lead): string[] {
  const out = new Set<string>();
  for (const route of routes) {
    if (list(route.from).includes(source) && matchesWhen(route.when, lead))
      for (const name of list(route.to)) out.add(name);
  }
  return [...out];
}

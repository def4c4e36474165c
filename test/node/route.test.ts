import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RouteConfig } from '../../src/config/schema';
import type { LeadInput } from '../../src/leads/lead';
import { normalizeLead } from '../../src/leads/normalize';
import { destinationsFor, matchesWhen } from '../../src/pipeline/route';

const lead = (input: LeadInput, source = 'n8n') => normalizeLead(input, { source });
const list = (names: string | readonly string[]): readonly string[] =>
  typeof names === 'string' ? [names] : names;

describe('destinationsFor', () => {
  const anyLead = lead({ email: 'ana@example.com' });

  it('fans out to several destinations, each once, in configuration order across routes', () => {
    const routes: RouteConfig[] = [
      { from: 'n8n', to: ['hubspot', 'crm'] },
      { from: 'zoom', to: 'salesforce' },
      { from: 'n8n', to: ['pipedrive', 'hubspot'] },
      { from: ['n8n'], to: 'crm' },
      { from: 'n8n', to: 'salesforce' },
    ];
    expect(destinationsFor(routes, 'n8n', anyLead)).toEqual(['hubspot', 'crm', 'pipedrive', 'salesforce']);
    expect(destinationsFor(routes, 'zoom', anyLead)).toEqual(['salesforce']);
  });

  it('follows a route from a list of sources, for each of them and no other', () => {
    const routes: RouteConfig[] = [{ from: ['typeform', 'typeform-eu', 'meta'], to: 'hubspot' }];
    expect(destinationsFor(routes, 'typeform', anyLead)).toEqual(['hubspot']);
    expect(destinationsFor(routes, 'typeform-eu', anyLead)).toEqual(['hubspot']);
    expect(destinationsFor(routes, 'meta', anyLead)).toEqual(['hubspot']);
    expect(destinationsFor(routes, 'typeform-us', anyLead)).toEqual([]);
    expect(destinationsFor(routes, 'type', anyLead)).toEqual([]);
  });

  it('answers nothing without routes, and skips the routes whose `when` does not match', () => {
    expect(destinationsFor([], 'n8n', anyLead)).toEqual([]);
    const routes: RouteConfig[] = [
      { from: 'n8n', to: 'crm' },
      { from: 'n8n', to: 'hubspot', when: { campaign: 'webinar-*' } },
    ];
    expect(destinationsFor(routes, 'n8n', lead({ campaign: 'webinar-2026' }))).toEqual(['crm', 'hubspot']);
    expect(destinationsFor(routes, 'n8n', lead({ campaign: 'spring-sale' }))).toEqual(['crm']);
    expect(destinationsFor(routes, 'n8n', anyLead)).toEqual(['crm']);
  });

  it('never answers a duplicate, and only destinations of matching routes from the source', () => {
    const name = fc.constantFrom('a', 'b', 'c', 'd');
    const oneOrMany = fc.oneof(name, fc.array(name, { minLength: 1, maxLength: 4 }));
    const campaign = fc.constantFrom('webinar-2026', 'spring', 'WEBINAR-x', 'my-webinar');
    const route: fc.Arbitrary<RouteConfig> = fc.record(
      {
        from: oneOrMany,
        to: oneOrMany,
        when: fc.record({ campaign: fc.oneof(campaign, fc.constantFrom('webinar-*', '*', 'spring')) }),
      },
      { requiredKeys: ['from', 'to'] },
    );
    fc.assert(
      fc.property(fc.array(route, { maxLength: 8 }), name, fc.option(campaign), (routes, source, camp) => {
        const input: LeadInput = camp === null ? {} : { campaign: camp };
        const subject = lead(input, source);
        const got = destinationsFor(routes, source, subject);
        expect(new Set(got).size).toBe(got.length);
        const matching = routes.filter((r) => list(r.from).includes(source) && matchesWhen(r.when, subject));
        // Exactly the destinations of the matching routes, in first-seen order.
        expect(got).toEqual([...new Set(matching.flatMap((r) => list(r.to)))]);
        for (const destination of got)
          expect(routes.some((r) => list(r.from).includes(source) && list(r.to).includes(destination))).toBe(
            true,
          );
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});

describe('matchesWhen', () => {
  it('matches every lead without a `when`, or with an empty one', () => {
    expect(matchesWhen(undefined, lead({}))).toBe(true);
    expect(matchesWhen({}, lead({}))).toBe(true);
  });

  it('matches a glob: `*` is any run of characters, case ignored, anchored at both ends', () => {
    const when = { campaign: 'webinar-*' };
    expect(matchesWhen(when, lead({ campaign: 'webinar-2026' }))).toBe(true);
    expect(matchesWhen(when, lead({ campaign: 'WEBINAR-x' }))).toBe(true);
    expect(matchesWhen(when, lead({ campaign: 'webinar-' }))).toBe(true);
    expect(matchesWhen(when, lead({ campaign: 'my-webinar' }))).toBe(false);
    expect(matchesWhen(when, lead({ campaign: 'my-webinar-2026' }))).toBe(false);
    expect(matchesWhen(when, lead({ campaign: 'webinar' }))).toBe(false);
    expect(matchesWhen({ campaign: '*-2026' }, lead({ campaign: 'webinar-2026' }))).toBe(true);
    expect(matchesWhen({ campaign: '*-2026' }, lead({ campaign: 'webinar-2026-eu' }))).toBe(false);
    expect(matchesWhen({ campaign: 'web*-*6' }, lead({ campaign: 'webinar-2026' }))).toBe(true);
  });

  it('matches an exact pattern without `*` exactly (case ignored)', () => {
    expect(matchesWhen({ campaign: 'spring' }, lead({ campaign: 'Spring' }))).toBe(true);
    expect(matchesWhen({ campaign: 'spring' }, lead({ campaign: 'spring-sale' }))).toBe(false);
    expect(matchesWhen({ campaign: 'spring' }, lead({ campaign: 'a spring' }))).toBe(false);
  });

  it('matches a list of patterns when any of them matches', () => {
    const when = { campaign: ['webinar-*', 'spring'] };
    expect(matchesWhen(when, lead({ campaign: 'webinar-1' }))).toBe(true);
    expect(matchesWhen(when, lead({ campaign: 'spring' }))).toBe(true);
    expect(matchesWhen(when, lead({ campaign: 'summer' }))).toBe(false);
    expect(matchesWhen({ campaign: [] }, lead({ campaign: 'summer' }))).toBe(false);
  });

  it('requires every key to match', () => {
    const when = { campaign: 'webinar-*', country: 'FR' };
    expect(matchesWhen(when, lead({ campaign: 'webinar-1', country: 'fr' }))).toBe(true);
    expect(matchesWhen(when, lead({ campaign: 'webinar-1', country: 'DE' }))).toBe(false);
    expect(matchesWhen(when, lead({ campaign: 'spring', country: 'FR' }))).toBe(false);
    expect(matchesWhen(when, lead({ campaign: 'webinar-1' }))).toBe(false);
  });

  it('matches `tags` when any tag matches', () => {
    const subject = lead({ form: 'Contact us', utm_source: 'Google', tags: ['vip'] });
    expect(subject.tags).toEqual(['form:contact-us', 'source:n8n', 'utm_source:google', 'vip']);
    expect(matchesWhen({ tags: 'vip' }, subject)).toBe(true);
    expect(matchesWhen({ tags: 'utm_source:*' }, subject)).toBe(true);
    expect(matchesWhen({ tags: ['gold', 'form:contact-*'] }, subject)).toBe(true);
    expect(matchesWhen({ tags: 'gold' }, subject)).toBe(false);
    // Each tag on its own: not the joined `a;b` string leadValue gives a CRM.
    expect(matchesWhen({ tags: 'form:contact-us;source:n8n' }, subject)).toBe(false);
    expect(matchesWhen({ tags: '*' }, { ...subject, tags: [] })).toBe(false);
  });

  it('reads `utm.<key>` and `custom.<key>` paths', () => {
    const subject = lead({
      utm_source: 'Google',
      utm_medium: 'cpc',
      custom: { plan: 'pro', seats: 12, vip: true },
    });
    expect(matchesWhen({ 'utm.source': 'google' }, subject)).toBe(true);
    expect(matchesWhen({ 'utm.source': 'bing' }, subject)).toBe(false);
    expect(matchesWhen({ 'utm.medium': 'c*' }, subject)).toBe(true);
    expect(matchesWhen({ 'custom.plan': 'pro' }, subject)).toBe(true);
    expect(matchesWhen({ 'custom.plan': 'free' }, subject)).toBe(false);
    expect(matchesWhen({ 'custom.seats': '1*' }, subject)).toBe(true);
    expect(matchesWhen({ 'custom.vip': 'true' }, subject)).toBe(true);
    expect(matchesWhen({ 'custom.vip': 'false' }, subject)).toBe(false);
  });

  it('never matches a missing field, not even with `*`', () => {
    const subject = lead({ email: 'ana@example.com', custom: { plan: null } });
    expect(matchesWhen({ campaign: '*' }, subject)).toBe(false);
    expect(matchesWhen({ 'utm.source': '*' }, subject)).toBe(false);
    expect(matchesWhen({ 'custom.budget': '*' }, subject)).toBe(false);
    expect(matchesWhen({ 'custom.plan': '*' }, subject)).toBe(false);
    expect(matchesWhen({ email: '*' }, subject)).toBe(true);
  });

  it('takes regex metacharacters in a pattern literally', () => {
    expect(matchesWhen({ campaign: 'a.b' }, lead({ campaign: 'axb' }))).toBe(false);
    expect(matchesWhen({ campaign: 'a.b' }, lead({ campaign: 'a.b' }))).toBe(true);
    expect(matchesWhen({ campaign: 'a+' }, lead({ campaign: 'aa' }))).toBe(false);
    expect(matchesWhen({ campaign: 'a+' }, lead({ campaign: 'a+' }))).toBe(true);
    expect(matchesWhen({ campaign: 'q?' }, lead({ campaign: 'q' }))).toBe(false);
    expect(matchesWhen({ campaign: '(x|y)' }, lead({ campaign: 'x' }))).toBe(false);
    expect(matchesWhen({ campaign: '(x|y)' }, lead({ campaign: '(x|y)' }))).toBe(true);
    expect(matchesWhen({ campaign: '[ab]' }, lead({ campaign: 'a' }))).toBe(false);
    expect(matchesWhen({ campaign: '[ab]' }, lead({ campaign: '[ab]' }))).toBe(true);
    expect(matchesWhen({ campaign: '$5 ^off' }, lead({ campaign: '$5 ^off' }))).toBe(true);
    expect(matchesWhen({ campaign: 'a{2}' }, lead({ campaign: 'aa' }))).toBe(false);
    expect(matchesWhen({ campaign: 'c:\\d' }, lead({ campaign: 'c:\\d' }))).toBe(true);
    expect(matchesWhen({ campaign: 'c:\\d' }, lead({ campaign: 'c:1' }))).toBe(false);
  });

  it('matches a literal pattern against its own text, whatever the characters', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ maxLength: 20 }), (text, other) => {
        const glob = text.replaceAll('*', '');
        // Printable ASCII (fast-check's default); only texts that normalisation keeps as they are.
        const subject = lead({ campaign: glob });
        fc.pre(subject.campaign === glob);
        expect(matchesWhen({ campaign: glob }, subject)).toBe(true);
        const another = lead({ campaign: other });
        if (another.campaign !== undefined && another.campaign.toLowerCase() !== glob.toLowerCase())
          expect(matchesWhen({ campaign: glob }, another)).toBe(false);
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});

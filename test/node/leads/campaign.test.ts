import { describe, expect, it } from 'vitest';
import { campaignTags, slug } from '../../../src/leads/normalize/campaign';

describe('slug', () => {
  it.each([
    ['Spring Sale — 2026 (EU)', 'spring-sale-2026-eu'],
    ['Q4 Demo Push', 'q4-demo-push'],
    ['Café Crème', 'cafe-creme'],
    ['お問い合わせ', 'お問い合わせ'],
    ['  --Google--  ', 'google'],
    ['🚀', ''],
  ])('%j → %j', (value, expected) => {
    expect(slug(value)).toBe(expected);
  });
});

describe('campaign tags', () => {
  it('tags every attribution value, sorted', () => {
    expect(
      campaignTags({
        source: 'typeform',
        form: 'Book a demo',
        utm_source: 'Google',
        utm_medium: 'cpc',
        utm_campaign: 'Q4 Demo Push',
        utm_term: 'lead routing',
        utm_content: 'ad-b',
        campaign: 'Black Friday',
      }),
    ).toEqual([
      'campaign:black-friday',
      'form:book-a-demo',
      'source:typeform',
      'utm_campaign:q4-demo-push',
      'utm_content:ad-b',
      'utm_medium:cpc',
      'utm_source:google',
      'utm_term:lead-routing',
    ]);
  });

  it('skips values with nothing to slug and merges carried tags without duplicates', () => {
    expect(campaignTags({ source: 'n8n', form: '🚀' }, ['source:n8n', ' vip ', ''])).toEqual([
      'source:n8n',
      'vip',
    ]);
  });
});

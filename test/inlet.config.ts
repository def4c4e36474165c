// The configuration the workerd tests run with: the shipped example (inlet.config.ts), whole, so
// the tests prove it works, plus sources and destinations that isolate one behaviour each. Test
// sources sign like `demo` (SOURCE_DEMO_SECRET), so test/workerd/helpers.ts can post to any of them.
import shipped from '../inlet.config.ts';
import { defineConfig } from '../src/config/schema';

const like = { type: 'flat', verify: 'standard-webhooks', secretVar: 'SOURCE_DEMO_SECRET' } as const;
const fast = { probeSeconds: 1, failureThreshold: 3 };

export default defineConfig({
  sources: {
    ...shipped.sources,
    't-hubspot': like,
    't-pipedrive': like,
    't-salesforce': like,
    't-fanout': like,
    't-filter': like,
    't-pause': like,
    't-outage': like,
    't-circuit': like,
    't-probe': like,
    't-unrouted': like,
    't-lag': like,
    't-invalid': like,
    't-verif': like,
    't-unset': like,
    // Calendly, with its policy overridden: cancellations ignored rather than updates.
    't-calendly-quiet': {
      type: 'calendly',
      secretVar: 'SOURCE_CALENDLY_SECRET',
      events: { 'invitee.canceled': 'ignore' },
    },
  },
  destinations: {
    ...shipped.destinations,
    // Its own portal token, so revoking it pauses this destination and no other.
    'hubspot-pause': {
      type: 'hubspot',
      tokenVar: 'TEST_HUBSPOT_PAUSE_TOKEN',
      urlVar: 'DESTINATION_HUBSPOT_URL',
      health: fast,
    },
    // The mock CRM, scripted to fail: opens its circuit after three failures in a row.
    // A webhook whose URL var is not set: every delivery is a configuration error, so it pauses.
    'webhook-unset': { type: 'webhook', urlVar: 'TEST_UNSET_URL', health: fast },
    // Pipedrive whose search lags 1.5 s (test/global-setup.ts): a lost create is retried after 2 s.
    'pipedrive-lag': {
      type: 'pipedrive',
      urlVar: 'DESTINATION_PIPEDRIVE_URL',
      tokenVar: 'DESTINATION_PIPEDRIVE_TOKEN',
      searchLagSeconds: 2,
    },
    // HubSpot with a low threshold: one failed batch call of many leads is one failure, not many.
    'hubspot-circuit': {
      type: 'hubspot',
      tokenVar: 'DESTINATION_HUBSPOT_TOKEN',
      urlVar: 'DESTINATION_HUBSPOT_URL',
      health: { probeSeconds: 30, failureThreshold: 3 },
    },
    // The mock CRM, paused by a test whose probe meets a 429: up, so resumed.
    'crm-probe': {
      type: 'webhook',
      urlVar: 'CRM_URL',
      secretVar: 'DESTINATION_SECRET',
      health: { probeSeconds: 30, failureThreshold: 3 },
    },
    // The mock CRM, scripted to fail: opens its circuit after three failures in a row; its first
    // probe is due after 30 s, which the test brings forward by running the sweep "later".
    'crm-outage': {
      type: 'webhook',
      urlVar: 'CRM_URL',
      secretVar: 'DESTINATION_SECRET',
      health: { probeSeconds: 30, failureThreshold: 3 },
    },
  },
  // Alerts to the fake Slack and the fake email API (test/global-setup.ts); a short window so
  // summaries and recoveries happen within a test.
  alerts: {
    adminUrl: 'https://inlet.test',
    windowMinutes: 1,
    thresholds: { invalid: 3, verification: 5, backlogMinutes: 30 },
    channels: {
      oncall: { type: 'slack' },
      mail: {
        type: 'email',
        from: 'Inlet <alerts@inlet.test>',
        to: ['oncall@example.com'],
        kinds: ['dead', 'paused'],
      },
    },
    slack: { allowedUsers: ['U0ONCALL01'] },
  },
  routes: [
    ...(shipped.routes ?? []),
    { from: 't-hubspot', to: 'hubspot' },
    { from: 't-pipedrive', to: 'pipedrive' },
    { from: 't-salesforce', to: 'salesforce' },
    { from: 't-fanout', to: ['crm', 'hubspot'] },
    { from: 't-filter', to: 'crm' },
    { from: 't-filter', to: 'hubspot', when: { campaign: 'webinar-*' } },
    { from: 't-pause', to: 'hubspot-pause' },
    { from: 't-outage', to: 'crm-outage' },
    { from: 't-circuit', to: 'hubspot-circuit' },
    { from: 't-probe', to: 'crm-probe' },
    { from: 't-lag', to: 'pipedrive-lag' },
    { from: 't-calendly-quiet', to: 'pipedrive' },
    // Calendly to the webhook too, so a test reads what an update carries.
    { from: 'calendly', to: 'crm' },
    { from: ['t-invalid', 't-verif'], to: 'crm' },
    { from: 't-unset', to: 'webhook-unset' },
  ],
});

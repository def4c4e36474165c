// Inlet's configuration: where leads come from (sources), where they go (destinations), and which
// go where (routes). This is the only file to edit; `npm run dev` prints what it loaded and the
// Worker refuses to start on a mistake, naming the bad key. docs/configuration.md is the reference.
//
// Secrets never go here: each source and destination names the Worker secret that holds its own
// (by convention SOURCE_<NAME>_SECRET, DESTINATION_<NAME>_TOKEN, ...; locally in .dev.vars).
// The values below are the example that runs locally: every destination is a fake on 127.0.0.1.
import { defineConfig } from './src/config/schema';

export default defineConfig({
  sources: {
    // POST /in/<name>. `type` picks the provider's verification and mapping (docs/providers.md).
    demo: {
      type: 'flat',
      verify: 'standard-webhooks',
      region: 'US',
      description: 'the sample source of the README',
    },
    n8n: {
      type: 'flat',
      verify: 'inlet-hmac',
      region: 'US',
      description: 'n8n and Make workflows (Inlet HMAC)',
    },
    // A flat source with its own field map: a Make scenario posting a CRM export.
    make: {
      type: 'flat',
      verify: 'inlet-hmac',
      fields: { email: 'contact.mail', company: ['org', 'account.name'] },
      region: 'GB',
    },
    zapier: { type: 'flat', verify: 'zapier', region: 'US' },
    svix: { type: 'flat', verify: 'svix', region: 'US' },
    // Two forms of one preset, each with its own secret (SOURCE_TYPEFORM_EU_SECRET) and phone region.
    typeform: { type: 'typeform', region: 'US' },
    'typeform-eu': { type: 'typeform', region: 'GB' },
    calendly: { type: 'calendly', region: 'US' },
    hubspot: { type: 'hubspot', region: 'US' },
    meta: { type: 'meta', region: 'US' },
    zoom: { type: 'zoom', region: 'US', description: 'webinar registrations' },
    tally: { type: 'tally', region: 'US' },
    webflow: { type: 'webflow', region: 'US' },
    // Webhooks made in Webflow's dashboard carry no signature: verified by a secret in the URL
    // (POST /in/webflow-dashboard?token=<SOURCE_WEBFLOW_DASHBOARD_SECRET>), which is weaker.
    'webflow-dashboard': { type: 'webflow', verify: 'url-token', region: 'US' },
    calcom: { type: 'calcom', region: 'US' },
    stripe: { type: 'stripe', region: 'US' },
    shopify: { type: 'shopify', region: 'US' },
    intercom: { type: 'intercom', region: 'US' },
    paddle: { type: 'paddle', region: 'US' },
    twilio: { type: 'twilio', region: 'US' },
    mandrill: { type: 'mandrill', region: 'US' },
    github: { type: 'github', region: 'US' },
    slack: { type: 'slack', region: 'US' },
    pipedrive: { type: 'pipedrive', region: 'US' },
    mailchimp: { type: 'mailchimp', region: 'US' },
    // No route yet: its events are kept (status `unrouted`) and delivered by a replay once one is added.
    jotform: { type: 'jotform', region: 'US' },
  },

  destinations: {
    // A signed webhook (Standard Webhooks): n8n, Make, or your own endpoint. Locally: the mock CRM.
    // CRM_URL and DESTINATION_SECRET are the names Inlet used before destinations had names.
    crm: { type: 'webhook', urlVar: 'CRM_URL', secretVar: 'DESTINATION_SECRET' },
    // Real CRMs. Their API base URL defaults to the CRM's own; `npm run dev` points each at its
    // fake with DESTINATION_<NAME>_URL. docs/destinations.md tells how to connect each.
    hubspot: {
      type: 'hubspot',
      // Lead fields to HubSpot contact properties, over the defaults (email, firstname, lastname,
      // phone, company, jobtitle, country, city).
      fields: { hs_lead_status: 'custom.lead_status' },
      constants: { lifecyclestage: 'lead' },
    },
    pipedrive: { type: 'pipedrive' },
    salesforce: { type: 'salesforce', object: 'Lead', constants: { LeadSource: 'Web' } },
  },

  // Failures reach Slack within a minute, grouped (docs/runbook.md). Locally: the fake Slack that
  // `npm run dev` starts prints each message. The webhook URL is the secret ALERT_SLACK_WEBHOOK_URL.
  alerts: {
    adminUrl: 'http://127.0.0.1:8787',
    channels: { slack: { type: 'slack' } },
    // Who may press "Replay these N events" (Slack user ids); the app's secret: SLACK_SIGNING_SECRET.
    slack: { allowedUsers: ['U0DEVUSER1'] },
  },

  // Raw payloads, headers and leads are purged after this many days by the cron; the event rows
  // and the stats stay (docs/runbook.md, "Retention and erasure").
  retention: { days: 30 },

  routes: [
    { from: ['demo', 'zapier', 'svix', 'make'], to: 'crm' },
    // My two Typeform forms and my Meta Lead Ads go to HubSpot…
    { from: ['typeform', 'typeform-eu', 'meta'], to: 'hubspot' },
    // …webinar registrations too, and also to the workflow behind the webhook.
    { from: 'zoom', to: ['hubspot', 'crm'] },
    // n8n leads go to the webhook; those of a webinar campaign also to HubSpot.
    { from: 'n8n', to: 'crm' },
    { from: 'n8n', to: 'hubspot', when: { campaign: 'webinar-*' } },
    { from: ['calendly', 'calcom'], to: 'pipedrive' },
    { from: ['tally', 'webflow', 'webflow-dashboard'], to: 'salesforce' },
    {
      from: [
        'hubspot',
        'stripe',
        'shopify',
        'intercom',
        'paddle',
        'twilio',
        'mandrill',
        'github',
        'slack',
        'pipedrive',
        'mailchimp',
      ],
      to: 'crm',
    },
  ],
});

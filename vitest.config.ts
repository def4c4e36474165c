// Integration tests inside workerd, on the real D1, KV and Queue bindings from wrangler.toml, with
// the CRM as a real HTTP server on 127.0.0.1 (test/global-setup.ts).
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { readDevVars } from './scripts/env.mjs';
import {
  TEST_ADMIN_TOKEN,
  TEST_DEMO_OLD_SECRET,
  TEST_DEMO_SECRET,
  TEST_DESTINATION_SECRET,
  TEST_EMAIL_TOKEN,
  TEST_HUBSPOT_PAUSE_TOKEN,
  TEST_HUBSPOT_TOKEN,
  TEST_META_PAGE_TOKEN,
  TEST_N8N_SECRET,
  TEST_PIPEDRIVE_TOKEN,
  TEST_SALESFORCE_CLIENT,
  TEST_SLACK_SIGNING_SECRET,
} from './test/secrets.ts';

export default defineConfig({
  // The tests' configuration file: the shipped one plus test-only sources and destinations.
  resolve: { alias: { 'inlet-config': new URL('./test/inlet.config.ts', import.meta.url).pathname } },
  plugins: [
    cloudflareTest(async ({ inject }) => ({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          // Every provider source with the development secrets of .dev.vars.example: the tests
          // prove the shipped local configuration works. Demo and n8n get test-only secrets below.
          ...readDevVars('.dev.vars.example'),
          TEST_MIGRATIONS: await readD1Migrations('./migrations'),
          CRM_URL: inject('crmUrl'),
          ADMIN_TOKEN: TEST_ADMIN_TOKEN,
          DESTINATION_SECRET: TEST_DESTINATION_SECRET,
          SOURCE_DEMO_SECRET: `${TEST_DEMO_SECRET} ${TEST_DEMO_OLD_SECRET}`,
          SOURCE_N8N_SECRET: TEST_N8N_SECRET,
          SOURCE_META_PAGE_TOKEN: TEST_META_PAGE_TOKEN,
          META_GRAPH_URL: inject('graphUrl'),
          HUBSPOT_API_URL: inject('hubspotUrl'),
          SOURCE_HUBSPOT_ACCESS_TOKEN: TEST_HUBSPOT_TOKEN,
          DESTINATION_HUBSPOT_URL: inject('hubspotUrl'),
          DESTINATION_HUBSPOT_TOKEN: TEST_HUBSPOT_TOKEN,
          TEST_HUBSPOT_PAUSE_TOKEN,
          DESTINATION_PIPEDRIVE_URL: inject('pipedriveUrl'),
          DESTINATION_PIPEDRIVE_TOKEN: TEST_PIPEDRIVE_TOKEN,
          DESTINATION_SALESFORCE_URL: inject('salesforceUrl'),
          DESTINATION_SALESFORCE_CLIENT_ID: TEST_SALESFORCE_CLIENT.id,
          DESTINATION_SALESFORCE_CLIENT_SECRET: TEST_SALESFORCE_CLIENT.secret,
          ALERT_ONCALL_WEBHOOK_URL: inject('slackWebhookUrl'),
          ALERT_MAIL_URL: inject('emailUrl'),
          ALERT_MAIL_TOKEN: TEST_EMAIL_TOKEN,
          SLACK_SIGNING_SECRET: TEST_SLACK_SIGNING_SECRET,
          // Short backoff and few attempts, so retry paths finish in seconds.
          RETRY_BASE_SECONDS: '1',
          RETRY_MAX_SECONDS: '2',
          DELIVERY_MAX_ATTEMPTS: '3',
          DELIVERY_TIMEOUT_MS: '1500',
          MAX_BODY_BYTES: '1048576',
        },
        // An empty database of its own, for the test that migrates data of the old schema forward.
        d1Databases: { DB: 'inlet', MIGRATION_DB: 'inlet-migration-test' },
        queueConsumers: {
          'inlet-deliveries': {
            maxBatchSize: 10,
            maxBatchTimeout: 0.05,
            maxRetries: 3,
            deadLetterQueue: 'inlet-deliveries-dlq',
          },
          'inlet-deliveries-dlq': { maxBatchSize: 10, maxBatchTimeout: 0.05 },
          'inlet-alerts': { maxBatchSize: 10, maxBatchTimeout: 0.05, maxRetries: 3 },
          'inlet-jobs': { maxBatchSize: 5, maxBatchTimeout: 0.05, maxRetries: 10 },
        },
      },
    })),
  ],
  test: {
    name: 'workerd',
    include: ['test/workerd/**/*.test.ts'],
    globalSetup: ['./test/global-setup.ts'],
    setupFiles: ['./test/workerd/setup.ts'],
    testTimeout: 30_000,
    // The Worker logs a line per attempt: shown for a failing test, kept out of a passing run.
    silent: 'passed-only',
  },
});

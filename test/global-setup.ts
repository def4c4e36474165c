// Starts the real HTTP servers the workerd tests talk to over loopback: the mock CRM (webhook
// destination), the fake Meta Graph API, and fake HubSpot, Pipedrive and Salesforce APIs.
import type { TestProject } from 'vitest/node';
import './provided';
import {
  TEST_DESTINATION_SECRET,
  TEST_EMAIL_TOKEN,
  TEST_HUBSPOT_PAUSE_TOKEN,
  TEST_HUBSPOT_TOKEN,
  TEST_META_PAGE_TOKEN,
  TEST_PIPEDRIVE_TOKEN,
  TEST_SALESFORCE_CLIENT,
} from './secrets';
import { startMockCrm } from './servers/crm';
import { startFakeEmail } from './servers/email';
import { startFakeGraph } from './servers/graph';
import { startFakeHubspot } from './servers/hubspot';
import { startFakePipedrive } from './servers/pipedrive';
import { startFakeSalesforce } from './servers/salesforce';
import { startFakeSlack } from './servers/slack';

export default async function setup(project: TestProject) {
  const servers = await Promise.all([
    startMockCrm({ secret: TEST_DESTINATION_SECRET }),
    startFakeGraph({ pageToken: TEST_META_PAGE_TOKEN }),
    startFakeHubspot({
      tokens: [TEST_HUBSPOT_TOKEN, TEST_HUBSPOT_PAUSE_TOKEN],
      searchLagMs: 1500,
      customProperties: ['inlet_tags'],
    }),
    startFakePipedrive({ tokens: [TEST_PIPEDRIVE_TOKEN], searchLagMs: 1500 }),
    startFakeSalesforce({ clients: [TEST_SALESFORCE_CLIENT] }),
  ]);
  const [crm, graph, hubspot, pipedrive, salesforce] = servers;
  const slack = await startFakeSlack({});
  const email = await startFakeEmail({ token: TEST_EMAIL_TOKEN });
  project.provide('slackUrl', slack.url);
  project.provide('slackWebhookUrl', slack.webhookUrl);
  project.provide('emailUrl', email.url);
  project.provide('crmUrl', crm.url);
  project.provide('graphUrl', graph.url);
  project.provide('hubspotUrl', hubspot.url);
  project.provide('pipedriveUrl', pipedrive.url);
  project.provide('salesforceUrl', salesforce.url);
  return async () => {
    await Promise.all([...servers, slack, email].map((server) => server.close()));
  };
}

// Starts the real HTTP servers the workerd tests talk to over loopback.
import type { TestProject } from 'vitest/node';
import './provided';
import { TEST_DESTINATION_SECRET, TEST_META_PAGE_TOKEN } from './secrets';
import { startMockCrm } from './servers/crm';
import { startFakeGraph } from './servers/graph';

export default async function setup(project: TestProject) {
  const crm = await startMockCrm({ secret: TEST_DESTINATION_SECRET });
  const graph = await startFakeGraph({ pageToken: TEST_META_PAGE_TOKEN });
  project.provide('crmUrl', crm.url);
  project.provide('graphUrl', graph.url);
  return async () => {
    await crm.close();
    await graph.close();
  };
}

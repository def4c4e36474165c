// Starts the real HTTP servers the workerd tests talk to over loopback.
import type { TestProject } from 'vitest/node';
import './provided';
import { TEST_DESTINATION_SECRET } from './secrets';
import { startMockCrm } from './servers/crm';

export default async function setup(project: TestProject) {
  const crm = await startMockCrm({ secret: TEST_DESTINATION_SECRET });
  project.provide('crmUrl', crm.url);
  return () => crm.close();
}

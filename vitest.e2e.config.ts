// End-to-end tests from Node against the real gateway (`wrangler dev` with the fakes, started by
// test/e2e/harness.ts) and, for the dashboard, a real headless Chromium. One file at a time: each
// starts its own gateway, and a second workerd and browser alongside would only make both slower.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 45_000,
    // Starting wrangler dev (bundle, workerd) and Chromium takes a few seconds, more on a cold CI.
    hookTimeout: 90_000,
  },
});

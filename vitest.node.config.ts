// Pure modules (verification, validation, normalisation, retry policy) tested in Node: fast, and
// able to use the providers' own Node SDKs to sign requests.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { 'inlet-config': new URL('./inlet.config.ts', import.meta.url).pathname } },
  test: {
    name: 'node',
    include: ['test/node/**/*.test.ts'],
    setupFiles: ['./test/node/setup.ts'],
    environment: 'node',
  },
});

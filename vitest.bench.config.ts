// `vitest bench --run --config vitest.bench.config.ts`: each signature scheme against JSON.parse, in
// Node (bench/verify.bench.ts). `npm run bench` (scripts/bench.mjs) measures the whole path instead.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { name: 'bench', benchmark: { include: ['bench/**/*.bench.ts'] } },
});

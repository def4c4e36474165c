// `npm run bench` (Node part): CPU benchmarks of the pure hot path, with ratios per group.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { name: 'bench', benchmark: { include: ['bench/**/*.bench.ts'] } },
});

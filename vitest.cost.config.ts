// `npm run bench` (workerd part): binding calls and bytes per path, on the real bindings.
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

const config = mergeConfig(base, defineConfig({ test: { name: 'cost' } }));
// mergeConfig concatenates arrays; the cost run wants only the bench files.
config.test.include = ['bench/**/*.workerd.ts'];
export default config;

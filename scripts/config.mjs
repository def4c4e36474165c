// Loads and checks inlet.config.ts outside the Worker, with the Worker's own schema
// (src/config/schema.ts): the file and the schema are bundled with esbuild and evaluated here.
// `node scripts/config.mjs [path]` (`npm run check-config`) prints what the file configures and
// exits 0, or prints each problem, naming the bad key, and exits 1. `npm run build` runs it first.
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCHEMA = resolve(ROOT, 'src/config/schema.ts');

/** Prints the problems of a bad configuration and exits 1. */
function fail(path, problems) {
  console.error(`${path} is not valid:`);
  for (const problem of problems) console.error(`  - ${problem}`);
  process.exit(1);
}

/**
 * The configuration in `path`, parsed by `parseConfig`. On a ConfigError (or a file that does not
 * build or run), prints `inlet.config.ts is not valid:` and each problem, and exits 1.
 */
export async function loadConfig(path = 'inlet.config.ts') {
  const file = resolve(path);
  const label = path.replace(/^\.\//, '');
  const entry = [
    `import raw from ${JSON.stringify(file)};`,
    `export { parseConfig, ConfigError } from ${JSON.stringify(SCHEMA)};`,
    'export default raw;',
  ].join('\n');
  let code;
  try {
    const result = await build({
      stdin: { contents: entry, resolveDir: ROOT, sourcefile: 'check-config.mjs', loader: 'js' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    code = result.outputFiles[0].text;
  } catch (error) {
    const messages = error.errors?.map((e) =>
      e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text,
    );
    fail(label, messages?.length ? messages : [error.message]);
  }
  let module;
  try {
    module = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
  } catch (error) {
    fail(label, [`evaluating it threw: ${error.message}`]);
  }
  try {
    return module.parseConfig(module.default);
  } catch (error) {
    if (error instanceof module.ConfigError) fail(label, error.problems);
    throw error;
  }
}

const list = (names) => (typeof names === 'string' ? [names] : names);

/** Destinations each source's leads may go to (any `when` noted), in route order. */
export function routeTargets(config) {
  const targets = Object.fromEntries(Object.keys(config.sources).map((name) => [name, []]));
  for (const route of config.routes) {
    const when = route.when
      ? ` (when ${Object.entries(route.when)
          .map(([key, value]) => `${key}: ${list(value).join('|')}`)
          .join(', ')})`
      : '';
    for (const from of list(route.from))
      for (const to of list(route.to)) {
        const target = `${to}${when}`;
        if (!targets[from].includes(target)) targets[from].push(target);
      }
  }
  return targets;
}

/** A few lines saying what the configuration sets up. */
export function summary(config) {
  const targets = routeTargets(config);
  const sources = Object.entries(config.sources);
  const destinations = Object.entries(config.destinations);
  const width = Math.max(0, ...[...sources, ...destinations].map(([name]) => name.length));
  const lines = [`sources (${sources.length}):`];
  for (const [name, source] of sources) {
    const type = source.type === 'flat' ? `flat, ${source.verify}` : source.type;
    const to = targets[name].length ? targets[name].join(', ') : 'no route: kept unrouted';
    lines.push(`  ${name.padEnd(width)}  ${type.padEnd(24)} → ${to}`);
  }
  lines.push(`destinations (${destinations.length}):`);
  for (const [name, destination] of destinations) lines.push(`  ${name.padEnd(width)}  ${destination.type}`);
  lines.push(`routes (${config.routes.length}):`);
  for (const route of config.routes) {
    const when = route.when ? `  when ${JSON.stringify(route.when)}` : '';
    lines.push(`  ${list(route.from).join(', ')} → ${list(route.to).join(', ')}${when}`);
  }
  return lines.join('\n');
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  const path = process.argv[2] ?? 'inlet.config.ts';
  const config = await loadConfig(path);
  console.log(`${path}: valid\n${summary(config)}`);
}

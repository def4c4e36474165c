// Reads the platform payloads in test/fixtures/; each is a realistic body the platform sends.
import { readdirSync, readFileSync } from 'node:fs';

const ROOT = new URL('../../fixtures/', import.meta.url);

export function fixture(path: string): unknown {
  return JSON.parse(readFileSync(new URL(path, ROOT), 'utf8'));
}

/** Every fixture of the given platforms as `platform/name.json`, to check that none goes untested. */
export function fixturePaths(platforms: readonly string[]): string[] {
  return platforms
    .flatMap((platform) =>
      readdirSync(new URL(`${platform}/`, ROOT))
        .filter((file) => file.endsWith('.json'))
        .map((file) => `${platform}/${file}`),
    )
    .sort();
}

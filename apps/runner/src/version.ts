import { readFileSync } from 'node:fs';

/** The runner's version, read from its package.json (works from src/ and from dist/). */
export function runnerVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

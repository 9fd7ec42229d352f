// The tsup preset shared by every package: ESM for Node 20, declarations, source maps.
// A package's tsup.config.ts is `export default virtlabTsup({ entry: [...] })`.
import { defineConfig } from 'tsup';

/** @param {import('tsup').Options} [overrides] */
export function virtlabTsup(overrides = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: false,
    treeshake: true,
    ...overrides,
  });
}

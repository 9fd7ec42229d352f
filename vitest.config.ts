import { defineConfig } from 'vitest/config';

// One configuration for the whole workspace. Workspace packages resolve to their TypeScript
// source through the `@virtlab/source` export condition, so `pnpm test` needs no build.
export default defineConfig({
  resolve: { conditions: ['@virtlab/source'] },
  ssr: { resolve: { conditions: ['@virtlab/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/guest/kernel/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'tooling/*/src/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});

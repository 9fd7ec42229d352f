import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['*.conformance.ts'], root: import.meta.dirname },
});

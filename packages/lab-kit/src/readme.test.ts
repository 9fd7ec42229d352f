import { expect, it } from 'vitest';
import { runReadmeExample } from './readme-example.js';

it('the README example runs as written and prints what its comment says', { timeout: 120_000 }, async () => {
  expect(await runReadmeExample(new URL('../', import.meta.url))).toBe('exit 0 true\n');
});

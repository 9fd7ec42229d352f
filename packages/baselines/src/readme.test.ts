import { expect, it } from 'vitest';
import { runReadmeExample } from '@virtlab/lab-kit/readme-example';

it('the README example runs as written: exit status 0, lab cycles and the trap count', { timeout: 120_000 }, async () => {
  expect(await runReadmeExample(new URL('../', import.meta.url))).toMatch(/^0 \d{6,} \d+\n$/);
});

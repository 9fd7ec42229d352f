import { expect, it } from 'vitest';
import { runReadmeExample } from '@virtlab/lab-kit/readme-example';

it('the README example runs as written: osbench in a jail exits 0, the battery is refused, accounting counts the two limits hit (maxproc, memoryuse)', { timeout: 120_000 }, async () => {
  const out = await runReadmeExample(new URL('../', import.meta.url));
  expect(out).toMatch(/^0 attack signal: kill\(1, SIGKILL\) ESRCH\n/);
  expect(out).toMatch(/memoryPeakPages: 256,\n {2}forks: 7,\n {2}denied: 2,/);
});

import { expect, it } from 'vitest';
import { runReadmeExample } from '@virtlab/lab-kit/readme-example';

it('the README example runs as written: sieve in a jail prints its reference line, the battery is refused, accounting counts the two limits hit (maxproc, memoryuse)', { timeout: 120_000 }, async () => {
  const out = await runReadmeExample(new URL('../', import.meta.url));
  expect(out).toMatch(/^primes <= 100000: 9592, sum 454396537, largest 99991\n0 attack signal: kill\(1, SIGKILL\) ESRCH\n/);
  expect(out).toMatch(/memoryPeakPages: 256,\n {2}forks: 7,\n {2}denied: 2,/);
});

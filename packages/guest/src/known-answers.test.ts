import { describe, expect, it } from 'vitest';
import { workloadByName } from './catalog.js';

// Values from the specifications and standard tables, not from the programs: the reference
// outputs (already agreed by three peers) must contain them.
describe('reference outputs contain known answers', () => {
  const both = (name: string) => ['test', 'bench'].map((size) => workloadByName(name).reference[size as 'test'] ?? '');

  it('crc32: the CRC-32 check value of "123456789" is cbf43926', () => {
    for (const output of both('crc32')) expect(output).toContain('crc32("123456789") = cbf43926\n');
  });

  it('sha256: the FIPS 180-4 example digest of "abc"', () => {
    const digest = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    for (const output of both('sha256')) expect(output).toContain(`sha256("abc") = ${digest}\n`);
  });

  it('nqueens: solution counts of OEIS A000170', () => {
    const a000170 = [1, 0, 0, 2, 10, 4, 40, 92, 352, 724, 2680, 14200, 73712, 365596];
    for (const output of both('nqueens')) {
      const counts = [...output.matchAll(/^(\d+) queens: (\d+) solutions$/gm)];
      expect(counts.length).toBeGreaterThan(4);
      for (const [, n, count] of counts) expect(Number(count)).toBe(a000170[Number(n) - 1]);
    }
  });

  it('sieve: pi(2,000,000) = 148933 and the primes below it sum to 142913828922', () => {
    expect(workloadByName('sieve').reference.bench).toContain(
      'primes <= 2000000: 148933, sum 142913828922, largest 1999993\n',
    );
  });
});

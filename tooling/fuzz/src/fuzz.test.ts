// The fuzz targets with a short budget (a few seconds in all), as part of `pnpm test`: no untyped
// exception, no disagreement with a peer outside the named list, no case near the time limit.
// `pnpm fuzz` runs the same targets long (10^5 cases each and more).
import { describe, expect, it } from 'vitest';
import { runFuzz, type FuzzStats } from './engine.js';
import { REGRESSIONS, bytesOf } from './regressions.js';
import { TARGETS, targetByName } from './targets/index.js';
import { Instance, Module } from '@virtlab/lang-vm';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { KNOWN_DISAGREEMENTS, KNOWN_LANG_VM_DEFECTS, KNOWN_UNTYPED, OUTSIDE_WASM_2_0 } from './targets/lang-vm.js';

const SHORT_BUDGET: Readonly<Record<string, number>> = { elf: 5000, fdt: 5000, cpio: 10_000, 'bench-json': 3000, 'cost-model': 10_000, 'lang-vm': 3000 };
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function report(stats: FuzzStats): string {
  return stats.findings.map((f) => `case ${f.index}: ${f.error}: ${f.message.slice(0, 400)}\n  minimized (${f.minimized.length} bytes): ${hex(f.minimized)}`).join('\n');
}

describe('fuzz targets, short budget (seed 19)', () => {
  for (const target of TARGETS) {
    it(`${target.name}: ${SHORT_BUDGET[target.name]} cases, typed verdicts only`, { timeout: 60_000 }, async () => {
      const stats = await runFuzz(target, { cases: SHORT_BUDGET[target.name] ?? 1000, seed: 19, timeLimitMs: 2000 });
      expect(stats.cases).toBe(SHORT_BUDGET[target.name]);
      expect(report(stats)).toBe('');
      expect(stats.slow).toEqual([]);
      // Both verdicts occur: the seeds are accepted and mutations reach the refusals.
      expect(stats.accepted).toBeGreaterThan(0);
      expect(stats.rejected).toBeGreaterThan(0);
      if (stats.known.size > 0) console.log(`${target.name}: named known cases: ${[...stats.known].map(([k, n]) => `${n} x ${k}`).join('; ')}`);
    });
  }

  it('the named lists are what they say: each entry recognises the construct it names', () => {
    expect(OUTSIDE_WASM_2_0.map((k) => k.name.split(' (')[0])).toEqual(['exception handling', 'threads']);
    expect(KNOWN_DISAGREEMENTS.map((k) => k.name.split(':')[0])).toEqual(['SIMD (0xfd prefix)']);
    expect(KNOWN_UNTYPED).toEqual([]);
    expect(KNOWN_LANG_VM_DEFECTS).toEqual([]);
    // A function body holding one opcode V8 ships beyond 2.0 (or SIMD): lang-vm stops at it.
    const body = (...code: number[]) => {
      const b = [0, ...code, 0x0b];
      return Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, b.length + 2, 1, b.length, ...b);
    };
    const verdict = (b: Uint8Array) => targetByName('lang-vm').run(b).known;
    expect(verdict(body(0x06, 0x40, 0x0b))).toMatch(/^outside 2\.0: exception handling/);
    // Tail calls (3.0): lang-vm implements them now, so both engines accept and are compared.
    expect(targetByName('lang-vm').run(body(0x12, 0x00))).toEqual({ outcome: 'accepted', detail: 'instantiated' });
    expect(verdict(body(0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x1a))).toMatch(/^SIMD/);
    expect(verdict(body(0x01))).toBeUndefined();

  });

  it.each(REGRESSIONS.map((r) => [r.target, r.name, r] as const))('regression %s: %s', (_t, _n, r) => {
    expect(targetByName(r.target).run(bytesOf(r.hex)).outcome).toBe(r.outcome);
  });

  it('dropped lang-vm instances are collectable (a leak the lang-vm target found, fixed on the langvm branch)', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // (module (memory 16) (func)): 1 MiB of memory and one function; a leak keeps 100 MiB and more.
    const module = new Module(bytesOf('0061736d010000000104016000000302010005030100100a040102000b'));
    gc();
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 100; i++) new Instance(module, {}, {});
    gc();
    const retainedMiB = (process.memoryUsage().arrayBuffers - before) / 2 ** 20;
    expect(retainedMiB).toBeLessThan(32);
  });
});

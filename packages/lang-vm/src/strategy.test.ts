import { workloads } from '@virtlab/guest';
import { describeStrategyConformance } from '@virtlab/strategy/conformance';
import { readFileSync } from 'node:fs';
import { imageFor, outputsEquivalent } from '@virtlab/strategy';
import { describe, expect, it } from 'vitest';
import { Instance, Module } from './instance.js';
import type { Memory } from './runtime.js';
import { langVmStrategy, makeLangVmStrategy } from './strategy.js';
import { Wasi } from './wasi.js';

describeStrategyConformance({ strategy: langVmStrategy, workloads });

describe('lang-vm strategy limits', () => {
  it('stops at the instruction budget with stop: budget', async () => {
    const w = workloads[0];
    if (w === undefined) throw new Error('no workloads in the guest catalog');
    const r = await langVmStrategy.run(w, { size: 'test', maxInstructions: 1000 });
    expect(r.stop).toBe('budget');
    expect(r.instructions).toBeGreaterThanOrEqual(1000);
  });
  it('rejects a budget that is not a non-negative integer instead of running without one', async () => {
    const w = workloads[0];
    if (w === undefined) throw new Error('no workloads in the guest catalog');
    for (const bad of [Number('abc'), -1, 2.5]) {
      await expect(langVmStrategy.run(w, { size: 'test', maxInstructions: bad })).rejects.toThrow(/maxInstructions must be a non-negative integer/);
    }
  });
  it('honours an abort signal', async () => {
    const w = workloads[0];
    if (w === undefined) throw new Error('no workloads in the guest catalog');
    const c = new AbortController();
    c.abort();
    const r = await langVmStrategy.run(w, { size: 'test', signal: c.signal });
    expect(r.stop).toBe('aborted');
    expect(r.output).toBe('');
  });
});

describe('aborting', () => {
  it('stops a running guest when its signal aborts between fuel slices', async () => {
    const w = workloads.find((x) => x.name === 'crc32');
    if (w === undefined) throw new Error('no crc32 workload');
    const sliced = makeLangVmStrategy('lang-vm-sliced', 'lang-vm with small fuel slices', {}, { fuelSlice: 20_000 });
    const c = new AbortController();
    setTimeout(() => c.abort(), 0);
    const r = await sliced.run(w, { size: 'test', signal: c.signal });
    expect(r.stop).toBe('aborted');
    expect(r.counters['fuel.slices']).toBeGreaterThan(1);
  });
});

describe('suspending real programs', () => {
  it.each(['crc32', 'nqueens'])('%s: stopped every 50 000 instructions and resumed, on both tiers, prints the reference', (name) => {
    const w = workloads.find((x) => x.name === name);
    const image = w === undefined ? undefined : imageFor(w, 'wasm32-wasi', 'test');
    if (w === undefined || image === undefined) throw new Error(`no wasm32-wasi test image of ${name}`);
    const bytes = readFileSync(image.path);
    for (const tier of name === 'crc32' ? (['js'] as const) : (['js', 'interpreter'] as const)) {
      const wasi = new Wasi({ args: [name] });
      const inst = new Instance(new Module(bytes), wasi.imports, { fuel: 50_000, tier });
      wasi.bind(inst.exports.memory as Memory);
      let stops = 0;
      const status = wasi.exitStatus(() => {
        let r = inst.call('_start');
        while (r.status === 'fuel-exhausted') {
          stops++;
          inst.addFuel(50_000);
          r = inst.continue();
        }
      });
      expect(status).toBe(0);
      expect(stops).toBeGreaterThan(5);
      expect(outputsEquivalent(w.reference.test ?? '', wasi.output)).toBe(true);
    }
  });
});

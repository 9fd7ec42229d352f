import { readFileSync } from 'node:fs';
import { workloads } from '@virtlab/guest';
import { imageFor, outputsEquivalent } from '@virtlab/strategy';
import { describe, expect, it } from 'vitest';
import { FuelExhausted } from './errors.js';
import { Instance, Module } from './instance.js';
import { liveLocalsAt } from './liveness.js';
import { Op } from './code.js';
import { Wasi } from './wasi.js';

/**
 * The JavaScript tier spills only the locals live where it stops (liveness.ts). Stopping the real
 * workloads every few thousand instructions and resuming them must still give their reference
 * output, with the same number of stops and the same fuel left as on the interpreter (the same
 * stopping points on both tiers).
 */
function sliced(bytes: Uint8Array, args: string[], tier: 'js' | 'interpreter', slice: number) {
  const wasi = new Wasi({ args });
  const instance = new Instance(new Module(bytes), wasi.imports, { tier, fuel: slice });
  const exports = instance.exports;
  wasi.bind(exports.memory as { buffer: ArrayBuffer });
  let step: () => unknown = () => (exports._start as () => unknown)();
  let stops = 0;
  let status: number;
  for (;;) {
    try {
      status = wasi.exitStatus(step);
      break;
    } catch (e) {
      if (!(e instanceof FuelExhausted)) throw e;
      stops++;
      instance.addFuel(slice);
      step = () => instance.resume();
    }
  }
  return { output: wasi.output, stops, status, fuel: instance.fuel };
}

describe('JavaScript tier: stops for lack of fuel carry every live local', () => {
  for (const w of workloads) {
    const image = imageFor(w, 'wasm32-wasi', 'test');
    if (image === undefined) continue;
    it(`${w.name}: stopped every 7919 instructions, the reference output, the interpreter's stops and fuel`, () => {
      const bytes = new Uint8Array(readFileSync(image.path));
      const args = [w.name, ...(image.args ?? [])];
      const js = sliced(bytes, args, 'js', 7919);
      expect(outputsEquivalent(w.reference.test ?? '', js.output)).toBe(true);
      const interp = sliced(bytes, args, 'interpreter', 7919);
      expect(js.stops).toBeGreaterThan(10);
      expect([js.stops, js.fuel, js.status]).toEqual([interp.stops, interp.fuel, interp.status]);
    });
  }
});

describe('local liveness', () => {
  // Internal code by hand: [FUEL_CHECK][MOV l1 <- s][MOV s <- l0][BR_IF back to 0][MOV s <- l1][RETURN]
  // with 2 locals (slots 0..3) and the stack at word 4.
  const code = new Int32Array([
    Op.FUEL_CHECK, 5, 0, // 0
    Op.MOV, 2, 4, 0x7f, // 3: local.set 1
    Op.MOV, 4, 0, 0x7f, // 7: local.get 0
    Op.BR_IF, 4, 0, // 11: loop back while non-zero
    Op.MOV, 4, 2, 0x7f, // 14: local.get 1
    Op.RETURN, 4, 2, // 18
  ]);
  it('finds a local read later live and one written before any read dead', () => {
    const live = liveLocalsAt(code, 0, code.length, 2, [0, 7, 14]);
    if (live === undefined) throw new Error('analysis skipped');
    // At the loop header: local 0 is read (at 7) before written (never): live; local 1 is written at 3 first: dead.
    expect([live(0, 0), live(0, 1)]).toEqual([true, false]);
    // At 7: local 0 read here; local 1 read at 14 on the way out: live.
    expect([live(7, 0), live(7, 1)]).toEqual([true, true]);
    // At 14: only local 1.
    expect([live(14, 0), live(14, 1)]).toEqual([false, true]);
  });
});

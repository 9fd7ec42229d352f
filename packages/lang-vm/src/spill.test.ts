import { readFileSync } from 'node:fs';
import { workloads } from '@virtlab/guest';
import { imageFor, outputsEquivalent } from '@virtlab/strategy';
import { describe, expect, it } from 'vitest';
import { FuelExhausted } from './errors.js';
import { Instance, Module } from './instance.js';
import { liveLocalsAt } from './liveness.js';
import { Op } from './code.js';
import { V8 } from './test-support/v8.js';
import { wat } from './test-support/wat.js';
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

describe('JavaScript tier: memory accesses at the end of memory', () => {
  // The tier leaves the bounds check to V8's DataView, whose own check is the wasm rule; an i64
  // store that runs past the end must write nothing (spec 4.4.7: the store traps before it writes).
  const source = `(module (memory (export "mem") 1)
    (func (export "st64") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
    (func (export "st32") (param i32 i32) (i32.store offset=4 (local.get 0) (local.get 1)))
    (func (export "ld64") (param i32) (result i64) (i64.load (local.get 0))))`;
  it('traps on a partly outside i64.store without writing its first bytes, as V8 does', async () => {
    const bytes = await wat(source);
    const v8 = new V8.Instance(new V8.Module(bytes)).exports;
    const ours = new Instance(new Module(bytes), {}, { tier: 'js' }).exports;
    for (const ex of [v8, ours]) {
      const st64 = ex.st64 as (a: number, v: bigint) => void;
      const st32 = ex.st32 as (a: number, v: number) => void;
      const ld64 = ex.ld64 as (a: number) => bigint;
      const mem = new Uint8Array((ex.mem as { buffer: ArrayBuffer }).buffer);
      mem.fill(0xaa, 65528);
      expect(() => st64(65532, -1n)).toThrow(/out of bounds/);
      expect(() => st64(-4, -1n)).toThrow(/out of bounds/);
      expect(() => st32(65530, -1)).toThrow(/out of bounds/);
      expect(() => ld64(65529)).toThrow(/out of bounds/);
      expect([...mem.subarray(65528)]).toEqual(new Array(8).fill(0xaa));
      st64(65528, 0x0102030405060708n);
      expect(ld64(65528)).toBe(0x0102030405060708n);
    }
  });
});

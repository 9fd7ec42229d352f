import { readFileSync } from 'node:fs';
import { workloadByName } from '@virtlab/guest';
import { imageFor } from '@virtlab/strategy';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompileError, FuelExhausted, LinkError, Trap } from './errors.js';
import type { Imports } from './instance.js';
import { Instance, Module } from './instance.js';
import { Global, Memory, Table } from './runtime.js';
import { trapClass } from './test-support/differential.js';
import { V8 } from './test-support/v8.js';
import { wat } from './test-support/wat.js';

const SEEDS = [
  `(module (memory 1) (global $g (mut i32) (i32.const 7)) (table 2 funcref) (elem (i32.const 0) $f $g2)
    (func $f (export "f") (param i32) (result i32) (local i64)
      (loop $l (local.set 1 (i64.add (local.get 1) (i64.extend_i32_u (local.get 0))))
        (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
      (i32.store (i32.const 8) (i32.wrap_i64 (local.get 1))) (i32.load (i32.const 8)))
    (func $g2 (export "g") (result f64) (global.set $g (i32.mul (global.get $g) (i32.const 3)))
      (f64.div (f64.convert_i32_s (global.get $g)) (f64.const 7)))
    (func (export "h") (result i32) (call_indirect (type 0) (i32.const 5) (i32.const 0))))`,
  `(module (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_s (local.get 0) (i32.const 2)) (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
    (func (export "sel") (param i64 i64) (result i64) (select (local.get 0) (local.get 1) (i64.lt_s (local.get 0) (local.get 1))))
    (func (export "multi") (result i32 i64 f32) (i32.const 1) (i64.const 2) (f32.const 3)))`,
];

/** Stubs for every import, per engine: functions return zero, memories/tables/globals of the declared shape. */
function stubs(bytes: Uint8Array, v8: boolean): Imports {
  const imports: Record<string, Record<string, unknown>> = {};
  const mod = new Module(bytes);
  for (const imp of mod.compiled.info.imports) {
    const ns = (imports[imp.module] ??= {});
    const d = imp.desc;
    if (d.kind === 'function') {
      const results = mod.compiled.info.types[d.typeIndex]?.results ?? [];
      ns[imp.name] = () => (results.length === 0 ? undefined : results[0] === 0x7e ? 0n : results[0] === 0x70 || results[0] === 0x6f ? null : 0);
    } else if (d.kind === 'memory') {
      const desc = { initial: d.limits.min, maximum: d.limits.max };
      ns[imp.name] = v8 ? new (globalThis as unknown as { WebAssembly: { Memory: new (x: object) => object } }).WebAssembly.Memory(desc) : new Memory(desc);
    } else if (d.kind === 'table') {
      const desc = { element: d.type.elem === 0x70 ? ('anyfunc' as const) : ('externref' as const), initial: d.type.limits.min, maximum: d.type.limits.max };
      ns[imp.name] = v8 ? new (globalThis as unknown as { WebAssembly: { Table: new (x: object) => object } }).WebAssembly.Table(desc) : new Table(desc);
    } else {
      const value = ({ 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x70: 'anyfunc', 0x6f: 'externref' } as const)[d.type.type];
      const init = d.type.type === 0x7e ? 0n : d.type.type === 0x70 || d.type.type === 0x6f ? null : 0;
      ns[imp.name] = v8
        ? new (globalThis as unknown as { WebAssembly: { Global: new (x: object, v: unknown) => object } }).WebAssembly.Global({ value, mutable: d.type.mutable }, init)
        : new Global({ value, mutable: d.type.mutable }, init);
    }
  }
  return imports;
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(seed: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = [...seed];
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    if (m.kind === 'set') b[at] = m.byte;
    else if (m.kind === 'insert') b.splice(at, 0, ...m.bytes);
    else if (m.kind === 'delete') b.splice(at, m.n);
    else b = b.slice(0, Math.max(8, at));
  }
  return new Uint8Array(b);
}

type Outcome = { value: unknown } | { trap: string } | 'fuel' | 'link';

/** Zero arguments of the right types for an exported function (JS API: i64 takes a BigInt). */
function argsFor(bytes: Uint8Array, name: string): unknown[] {
  const info = new Module(bytes).compiled.info;
  const ex = info.exports.find((e) => e.name === name);
  const type = ex === undefined ? undefined : info.types[info.funcTypes[ex.index] as number];
  return (type?.params ?? []).map((t) => (t === 0x7e ? 0n : t === 0x70 || t === 0x6f ? null : 0));
}

function runOurs(bytes: Uint8Array, tier: 'js' | 'interpreter'): Map<string, Outcome> {
  const out = new Map<string, Outcome>();
  let inst: Instance;
  try {
    inst = new Instance(new Module(bytes), stubs(bytes, false), { fuel: 20_000, maxCallDepth: 200, maxMemoryPages: 64, tier });
  } catch (e) {
    if (e instanceof LinkError || e instanceof Trap || e instanceof FuelExhausted) return out;
    throw e;
  }
  for (const [name, f] of Object.entries(inst.exports)) {
    if (typeof f !== 'function') continue;
    if (inst.suspended) inst.abort();
    inst.fuel = 20_000;
    try {
      out.set(name, { value: (f as (...a: unknown[]) => unknown)(...argsFor(bytes, name)) });
    } catch (e) {
      if (e instanceof FuelExhausted) out.set(name, 'fuel');
      else if (e instanceof Trap) out.set(name, { trap: trapClass(e) });
      else throw e;
    }
  }
  return out;
}

function v8Outcome(bytes: Uint8Array, name: string): Outcome {
  try {
    const inst = new V8.Instance(new V8.Module(bytes), stubs(bytes, true));
    return { value: (inst.exports[name] as (...a: unknown[]) => unknown)(...argsFor(bytes, name)) };
  } catch (e) {
    if (e instanceof Error && /LinkError|Import/.test(`${e.name} ${e.message}`)) return 'link';
    return { trap: trapClass(e) };
  }
}

const same = (a: unknown, b: unknown): boolean =>
  Array.isArray(a) && Array.isArray(b)
    ? a.length === b.length && a.every((x, i) => same(x, b[i]))
    : (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)) || Object.is(a, b) || (typeof a === 'function' && typeof b === 'function');

describe('fuzzing: mutated valid modules never crash or hang the host', () => {
  const guest = imageFor(workloadByName('crc32'), 'wasm32-wasi', 'test');
  it.each([0, 1, 2])('seed %i: typed rejection, or runs within fuel and agrees with V8', async (si) => {
    const seed = si < SEEDS.length ? await wat(SEEDS[si] as string) : new Uint8Array(readFileSync((guest as { path: string }).path));
    let valid = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => {
        const bytes = mutate(seed, ms);
        const v8Valid = V8.validate(bytes);
        let module: Module | undefined;
        try {
          module = new Module(bytes);
        } catch (e) {
          if (!(e instanceof CompileError)) throw e;
        }
        // Never accept what V8 rejects; V8 may accept proposals lang-vm leaves out (SIMD, tail calls).
        if (module !== undefined) expect(v8Valid).toBe(true);
        if (module === undefined) return;
        valid++;
        const interp = runOurs(bytes, 'interpreter');
        const js = runOurs(bytes, 'js');
        for (const [name, o] of interp) {
          const j = js.get(name);
          if (o === 'fuel' || j === 'fuel') continue;
          expect(JSON.stringify(j, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).toBe(JSON.stringify(o, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
          const v = v8Outcome(bytes, name);
          if (v === 'link' || typeof o !== 'object') continue;
          if ('trap' in o) expect(v).toEqual(o);
          else expect('value' in (v as object) && same((v as { value: unknown }).value, o.value)).toBe(true);
        }
      }),
      { numRuns: si === 2 ? 150 : 300, seed: 8 + si },
    );
    expect(valid).toBeGreaterThan(0);
  });
});

import { describe, expect, it } from 'vitest';
import { LIMITS } from './decoder.js';
import { DecodeError, ImplementationLimitError, LinkError, ValidationError } from './errors.js';
import { Instance, Module } from './instance.js';
import { uleb128 } from './leb128.js';
import { Memory } from './runtime.js';
import { V8 } from './test-support/v8.js';
import { wat } from './test-support/wat.js';

// Rules of the WebAssembly 2.0 specification that lang-vm once broke, each checked against V8 where
// V8 implements the same rule. Module bytes are assembled by hand where wabt would refuse them.
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const sec = (id: number, ...body: number[]) => [id, ...uleb128(body.length), ...body];
const mod = (...bytes: number[]) => new Uint8Array([...HEADER, ...bytes]);
/** A section of `n` repeated items after their count, built without spreading large arrays. */
const repeated = (id: number, n: number, item: readonly number[]) => {
  const body = [...uleb128(n)];
  for (let i = 0; i < n; i++) for (const b of item) body.push(b);
  const out = new Uint8Array(HEADER.length + 1 + uleb128(body.length).length + body.length);
  out.set([...HEADER, id, ...uleb128(body.length)]);
  out.set(body, HEADER.length + 1 + uleb128(body.length).length);
  return out;
};
const TYPE_V_V = sec(1, 1, 0x60, 0, 0);
/** One function of type [] -> [] with `body` (instructions, without the final end) and one page of memory. */
const withBody = (body: number[], { memory = true, dataCount }: { memory?: boolean; dataCount?: number } = {}) => {
  const code = [0, ...body, 0x0b];
  return mod(
    ...TYPE_V_V,
    ...sec(3, 1, 0),
    ...(memory ? sec(5, 1, 0, 1) : []),
    ...(dataCount !== undefined ? sec(12, dataCount) : []),
    ...sec(10, 1, ...uleb128(code.length), ...code),
    ...(dataCount !== undefined ? sec(11, dataCount, ...Array.from({ length: dataCount }, () => [1, 0]).flat()) : []),
  );
};

function errorOf(bytes: Uint8Array): unknown {
  try {
    new Module(bytes);
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('names are exact UTF-8 (spec 5.2.4)', () => {
  it('keeps a leading U+FEFF in export names, so it does not collide with ""', () => {
    const bytes = mod(...TYPE_V_V, ...sec(3, 1, 0), ...sec(7, 2, 0, 0, 0, 3, 0xef, 0xbb, 0xbf, 0, 0), ...sec(10, 1, 2, 0, 0x0b));
    expect(V8.validate(bytes)).toBe(true);
    const m = new Module(bytes);
    expect(Module.exports(m).map((e) => e.name)).toEqual(['', '\u{feff}']);
    const v8names = Object.keys(new V8.Instance(new V8.Module(bytes)).exports);
    expect(Object.keys(new Instance(m).exports).sort()).toEqual(v8names.sort());
  });
  it('keeps a leading U+FEFF in import names', () => {
    const bytes = mod(...TYPE_V_V, ...sec(2, 1, 3, 0xef, 0xbb, 0xbf, 1, 0x66, 0, 0));
    expect(Module.imports(new Module(bytes))).toEqual([{ module: '\u{feff}', name: 'f', kind: 'function' }]);
    expect(() => new Instance(new Module(bytes), { '': { f: () => 0 } })).toThrow(LinkError);
    expect(() => new Instance(new Module(bytes), { '\u{feff}': { f: () => 0 } })).not.toThrow();
  });
});

describe('br_table in unreachable code meets the bottom type (spec appendix, validation algorithm)', () => {
  // unreached-valid.wast: labels of different types meet where the operand is the bottom type.
  const CASES = [
    '(module (func (block (result f64) (block (result f32) (unreachable) (br_table 0 1 1 (i32.const 1))) (drop) (f64.const 0)) (drop)))',
    '(module (func (result i32) (block (result i64) (block (result f32) (unreachable) (br_table 0 1 (i32.const 0))) (drop) (i64.const 0)) (drop) (i32.const 1)))',
  ];
  it.each(CASES)('%s validates, as on V8', async (text) => {
    const bytes = await wat(text, { validate: false });
    expect(V8.validate(bytes)).toBe(true);
    expect(() => new Module(bytes)).not.toThrow();
  });
  it('still rejects labels of different types when the operand is known', async () => {
    const bytes = await wat('(module (func (param f32) (block (result f64) (block (result f32) (local.get 0) (br_table 0 1 (i32.const 1))) (drop) (f64.const 0)) (drop)))', { validate: false });
    expect(V8.validate(bytes)).toBe(false);
    expect(errorOf(bytes)).toBeInstanceOf(ValidationError);
  });
});

describe('constant expressions read only imported globals (spec 3.3.10 in 2.0)', () => {
  const CASES: [string, string][] = [
    ['global initializer', '(module (global i32 (i32.const 0)) (global i32 (global.get 0)))'],
    ['data offset', '(module (memory 1) (global i32 (i32.const 0)) (data (global.get 0) "a"))'],
    ['element offset', '(module (table 1 funcref) (global i32 (i32.const 0)) (elem (global.get 0) func 0) (func))'],
    ['element expression', '(module (table 1 funcref) (global funcref (ref.null func)) (elem (i32.const 0) funcref (global.get 0)))'],
  ];
  it.each(CASES)('a non-imported global in a %s is an unknown global', async (_what, text) => {
    const bytes = await wat(text, { validate: false });
    expect(V8.validate(bytes)).toBe(false);
    const e = errorOf(bytes);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).rule).toContain('unknown global 0');
  });
  it('an imported immutable global is fine everywhere', async () => {
    const bytes = await wat('(module (import "m" "g" (global i32)) (memory 1) (table 2 funcref) (global i32 (global.get 0)) (data (global.get 0) "a") (elem (global.get 0) func 0) (func))');
    expect(V8.validate(bytes)).toBe(true);
    expect(() => new Module(bytes)).not.toThrow();
  });
});

describe('malformed is not invalid (spec 5 before spec 3)', () => {
  it('an alignment exponent of 32 or more is a DecodeError (malformed memop flags)', () => {
    for (const align of [32, 33, 0x7f, 0xffffffff]) {
      const bytes = withBody([0x41, 0, 0x28, ...uleb128(align), 0, 0x1a]);
      expect(V8.validate(bytes)).toBe(false);
      const e = errorOf(bytes);
      expect(e).toBeInstanceOf(DecodeError);
      expect((e as DecodeError).expected).toContain('malformed memop flags');
    }
    // 31 is an exponent, just too large for i32.load (natural alignment 2): invalid, not malformed.
    const invalid = withBody([0x41, 0, 0x28, 31, 0, 0x1a]);
    expect(V8.validate(invalid)).toBe(false);
    expect(errorOf(invalid)).toBeInstanceOf(ValidationError);
  });
  it('memory.init and data.drop without a data count section are DecodeErrors', () => {
    const init = withBody([0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 8, 0, 0]);
    const drop = withBody([0xfc, 9, 0]);
    for (const bytes of [init, drop]) {
      expect(V8.validate(bytes)).toBe(false);
      const e = errorOf(bytes);
      expect(e).toBeInstanceOf(DecodeError);
      expect((e as DecodeError).expected).toContain('data count section');
    }
    // With the section (and one data segment) both are valid.
    expect(V8.validate(withBody([0xfc, 9, 0], { dataCount: 1 }))).toBe(true);
    expect(() => new Module(withBody([0xfc, 9, 0], { dataCount: 1 }))).not.toThrow();
  });
  it('an illegal opcode in an element segment expression is a DecodeError, a non-constant one a ValidationError', () => {
    // Table of 1 funcref; a passive segment of funcref with one expression.
    const elemWith = (...expr: number[]) => mod(...TYPE_V_V, ...sec(3, 1, 0), ...sec(4, 1, 0x70, 0, 1), ...sec(9, 1, 5, 0x70, 1, ...expr), ...sec(10, 1, 2, 0, 0x0b));
    for (const op of [0x06, 0x14, 0x27, 0xd3, 0xff]) {
      const bytes = elemWith(op, 0, 0x0b);
      expect(V8.validate(bytes)).toBe(false);
      const e = errorOf(bytes);
      expect(e).toBeInstanceOf(DecodeError);
      expect((e as DecodeError).expected).toContain('illegal opcode');
    }
    const unknownFc = elemWith(0xfc, 99, 0x0b);
    expect(V8.validate(unknownFc)).toBe(false);
    expect(errorOf(unknownFc)).toBeInstanceOf(DecodeError);
    // i32.add and local.get are instructions, just not constant ones.
    for (const expr of [[0x6a, 0x0b], [0x20, 0, 0x0b]]) {
      const bytes = elemWith(...expr);
      expect(V8.validate(bytes)).toBe(false);
      expect(errorOf(bytes)).toBeInstanceOf(ValidationError);
    }
    expect(V8.validate(elemWith(0xd2, 0, 0x0b))).toBe(true);
    expect(() => new Module(elemWith(0xd2, 0, 0x0b))).not.toThrow();
  });
  it('an illegal opcode in a global initializer or a data offset is a DecodeError too', () => {
    const global = mod(...sec(6, 1, 0x7f, 0, 0x06, 0x0b));
    const data = mod(...sec(5, 1, 0, 1), ...sec(11, 1, 0, 0x27, 0x0b, 0));
    for (const bytes of [global, data]) {
      expect(V8.validate(bytes)).toBe(false);
      expect(errorOf(bytes)).toBeInstanceOf(DecodeError);
    }
  });
  it('a block type is an s33 (spec 5.4.1): a long encoding of index 0 is fine, an index beyond 2^31 is unknown, a negative one malformed', () => {
    const block = (...bt: number[]) => withBody([0x02, ...bt, 0x0b], { memory: false });
    const long0 = block(0x80, 0x80, 0x80, 0x80, 0x00);
    expect(V8.validate(long0)).toBe(true);
    expect(() => new Module(long0)).not.toThrow();
    const big = block(0x80, 0x80, 0x80, 0x80, 0x08); // 2^31: a valid s33, an unknown type index
    expect(V8.validate(big)).toBe(false);
    expect(errorOf(big)).toBeInstanceOf(ValidationError);
    const negative = block(0x7b); // -5 (v128 in later versions), not a 2.0 block type
    expect(V8.validate(negative)).toBe(false);
    expect(errorOf(negative)).toBeInstanceOf(DecodeError);
    const overlong = block(0x80, 0x80, 0x80, 0x80, 0x20); // unused bits not sign-extended
    expect(V8.validate(overlong)).toBe(false);
    expect(errorOf(overlong)).toBeInstanceOf(DecodeError);
  });
});

describe('implementation limits of the JS API, as V8 enforces them', () => {
  const limitOf = (bytes: Uint8Array) => {
    const e = errorOf(bytes);
    expect(e).toBeInstanceOf(ImplementationLimitError);
    return (e as ImplementationLimitError).limit;
  };
  it('parameters and results per function type', () => {
    const typeWith = (np: number, nr: number) => mod(...sec(1, 1, 0x60, ...uleb128(np), ...Array<number>(np).fill(0x7f), ...uleb128(nr), ...Array<number>(nr).fill(0x7f)));
    for (const [np, nr] of [[LIMITS.params, 0], [0, LIMITS.results]] as const) {
      expect(V8.validate(typeWith(np, nr))).toBe(true);
      expect(() => new Module(typeWith(np, nr))).not.toThrow();
    }
    expect(V8.validate(typeWith(LIMITS.params + 1, 0))).toBe(false);
    expect(limitOf(typeWith(LIMITS.params + 1, 0))).toContain('parameters');
    expect(V8.validate(typeWith(0, LIMITS.results + 1))).toBe(false);
    expect(limitOf(typeWith(0, LIMITS.results + 1))).toContain('results');
  });
  it('locals per function, parameters included', () => {
    const fn = (params: number, locals: number) =>
      mod(...sec(1, 1, 0x60, ...uleb128(params), ...Array<number>(params).fill(0x7f), 0), ...sec(3, 1, 0), ...sec(10, 1, ...uleb128(3 + uleb128(locals).length), 1, ...uleb128(locals), 0x7f, 0x0b));
    expect(V8.validate(fn(10, LIMITS.locals - 10))).toBe(true);
    expect(() => new Module(fn(10, LIMITS.locals - 10))).not.toThrow();
    expect(V8.validate(fn(10, LIMITS.locals - 9))).toBe(false);
    expect(limitOf(fn(10, LIMITS.locals - 9))).toContain('locals');
  });
  it('br_table targets', () => {
    const table = (n: number) => withBody([0x02, 0x40, 0x41, 0, 0x0e, ...uleb128(n), ...Array<number>(n + 1).fill(0), 0x0b], { memory: false });
    expect(V8.validate(table(LIMITS.brTableTargets))).toBe(true);
    expect(() => new Module(table(LIMITS.brTableTargets))).not.toThrow();
    expect(V8.validate(table(LIMITS.brTableTargets + 1))).toBe(false);
    expect(limitOf(table(LIMITS.brTableTargets + 1))).toContain('br_table');
  });
  it('imports and types', () => {
    // Global imports need no type section: (import "" "" (global i32)).
    const imports = (n: number) => repeated(2, n, [0, 0, 3, 0x7f, 0]);
    expect(V8.validate(imports(LIMITS.imports))).toBe(true);
    expect(() => new Module(imports(LIMITS.imports))).not.toThrow();
    expect(V8.validate(imports(LIMITS.imports + 1))).toBe(false);
    expect(limitOf(imports(LIMITS.imports + 1))).toBe('imports');
    const types = (n: number) => repeated(1, n, [0x60, 0, 0]);
    expect(V8.validate(types(LIMITS.types + 1))).toBe(false);
    expect(limitOf(types(LIMITS.types + 1))).toBe('types');
  });
  it('a table beyond 10 000 000 elements validates but does not instantiate: a LinkError naming the limit', async () => {
    const bytes = await wat('(module (table 20000000 funcref))');
    expect(V8.validate(bytes)).toBe(true);
    expect(() => new V8.Instance(new V8.Module(bytes))).toThrow(/implementation limit/);
    const m = new Module(bytes);
    expect(() => new Instance(m)).toThrow(LinkError);
    expect(() => new Instance(m)).toThrow(/10000000/);
  });
});

describe('numeric options are checked, never silently ignored', () => {
  it('rejects a bad fuel, page cap, call-depth cap, stack size or tier with a RangeError naming it', async () => {
    const m = new Module(await wat('(module (func (export "f")))'));
    for (const [name, options] of [
      ['fuel', { fuel: Number('abc') }],
      ['fuel', { fuel: -1 }],
      ['fuel', { fuel: 1.5 }],
      ['maxMemoryPages', { maxMemoryPages: 65537 }],
      ['maxCallDepth', { maxCallDepth: 0 }],
      ['stackWords', { stackWords: Number.NaN }],
      ['tier', { tier: 'jit' as 'js' }],
    ] as const) {
      expect(() => new Instance(m, {}, options)).toThrow(RangeError);
      expect(() => new Instance(m, {}, options)).toThrow(name);
    }
    const inst = new Instance(m, {}, { fuel: 10 });
    expect(() => inst.addFuel(Number.NaN)).toThrow(RangeError);
    expect(() => inst.addFuel(-5)).toThrow(RangeError);
    expect(() => {
      inst.fuel = -1;
    }).toThrow(RangeError);
    inst.fuel = Infinity;
    expect(() => new Instance(m, {}, { fuel: Infinity, maxCallDepth: 5, maxMemoryPages: 0, stackWords: 4096 })).not.toThrow();
  });
});

describe('Memory keeps the JS API shape while growing amortized', () => {
  it('buffer is exactly the memory size after every grow, as on V8, and keeps the bytes', () => {
    const ours = new Memory({ initial: 1, maximum: 100 });
    const v8 = new (globalThis as unknown as { WebAssembly: { Memory: new (d: object) => { grow(n: number): number; buffer: ArrayBuffer } } }).WebAssembly.Memory({ initial: 1, maximum: 100 });
    new Uint8Array(ours.buffer)[65535] = 42;
    for (let i = 0; i < 20; i++) {
      expect(ours.grow(1)).toBe(v8.grow(1));
      // The guest's view grows in place; the host's buffer is trimmed to the size when asked for.
      expect(ours.u8.length).toBe(ours.pages * 65536);
      expect(ours.buffer.byteLength).toBe(v8.buffer.byteLength);
    }
    expect(new Uint8Array(ours.buffer)[65535]).toBe(42);
    expect(new Uint8Array(ours.buffer)[65536]).toBe(0);
    expect(() => ours.grow(80)).toThrow(RangeError);
  });
});

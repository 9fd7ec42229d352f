import { describe, expect, it } from 'vitest';
import { decodeModule } from './decoder.js';
import { DecodeError, ValidationError } from './errors.js';
import { Module } from './instance.js';
import { V8 } from './test-support/v8.js';

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
/** A section: id, size, then the bytes. */
const sec = (id: number, ...body: number[]) => [id, body.length, ...body];
const TYPE_V_V = sec(1, 1, 0x60, 0, 0);
const mod = (...bytes: number[]) => new Uint8Array([...HEADER, ...bytes]);

/**
 * [what the error must say, byte offset, module] — malformed binaries from spec 5. Offsets count
 * from the header (8 bytes): each section is id, size, body.
 */
const MALFORMED: readonly [string, number, Uint8Array][] = [
  ['magic number', 0, new Uint8Array([0x00, 0x61, 0x73, 0x6e, 1, 0, 0, 0])],
  ['version 1', 4, new Uint8Array([0x00, 0x61, 0x73, 0x6d, 2, 0, 0, 0])],
  ['magic number', 0, new Uint8Array([0x00, 0x61])],
  ['section of 16 bytes', 8, mod(1, 16, 0)],
  ['known section id', 8, mod(13, 0)],
  ['in order', 14, mod(...TYPE_V_V, ...TYPE_V_V)],
  ['LEB128 of at most 5 bytes', 10, mod(1, 7, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0)],
  ['unused bits zero', 12, mod(5, 7, 1, 0, 0x80, 0x80, 0x80, 0x80, 0x70)],
  ['value type', 13, mod(1, 5, 1, 0x60, 1, 0x40, 0)],
  ['function type 0x60', 11, mod(1, 4, 1, 0x61, 0, 0)],
  ['function bodies', 20, mod(...TYPE_V_V, ...sec(3, 1, 0), ...sec(10, 0))],
  ['code section', 18, mod(...TYPE_V_V, ...sec(3, 1, 0))],
  ['ending with end', 23, mod(...TYPE_V_V, ...sec(3, 1, 0), ...sec(10, 1, 2, 0, 0x01))],
  ['valid UTF-8', 11, mod(...sec(7, 1, 1, 0xff, 0, 0))],
  ['section size mismatch', 14, mod(1, 5, 1, 0x60, 0, 0, 0)],
  ['limits flag', 11, mod(5, 3, 1, 2, 0)],
  ['known opcode', 23, mod(...TYPE_V_V, ...sec(3, 1, 0), ...sec(10, 1, 3, 0, 0xff, 0x0b))],
  ['too many locals', 29, mod(...TYPE_V_V, ...sec(3, 1, 0), ...sec(10, 1, 14, 2, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x0b))],
  ['data count', 18, mod(...sec(5, 1, 0, 1), ...sec(12, 2), ...sec(11, 1, 1, 0))],
  ['zero byte expected', 29, mod(...TYPE_V_V, ...sec(3, 1, 0), ...sec(5, 1, 0, 1), ...sec(10, 1, 5, 0, 0x3f, 1, 0x1a, 0x0b))],
];

describe('decoder (spec 5): malformed binaries give a DecodeError with offset and expectation', () => {
  it.each(MALFORMED.map(([w, o, b], i) => [i, w, o, b] as const))('#%i: %s at %i', (_i, what, offset, bytes) => {
    expect(V8.validate(bytes)).toBe(false);
    let error: unknown;
    try {
      new Module(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).expected).toContain(what);
    expect((error as DecodeError).offset).toBe(offset);
  });

  it('decodes sections, imports, exports, custom sections and function names', () => {
    const name = [...'name'].map((c) => c.charCodeAt(0));
    const bytes = mod(
      ...TYPE_V_V,
      ...sec(2, 1, 1, 0x65, 1, 0x66, 0, 0),
      ...sec(3, 1, 0),
      ...sec(7, 1, 1, 0x67, 0, 1),
      ...sec(10, 1, 2, 0, 0x0b),
      ...sec(0, 4, ...name, 1, 5, 1, 1, 2, 0x68, 0x69),
    );
    expect(V8.validate(bytes)).toBe(true);
    const info = decodeModule(bytes);
    expect(info.imports).toMatchObject([{ module: 'e', name: 'f', desc: { kind: 'function', typeIndex: 0 } }]);
    expect(info.exports).toMatchObject([{ name: 'g', kind: 'function', index: 1 }]);
    expect(info.funcNames.get(1)).toBe('hi');
    expect(Module.customSections(new Module(bytes), 'name')).toHaveLength(1);
  });

  it('decodes signed LEB128 constants at their limits', () => {
    // (func (result i64) i64.const -2^63) and (func (result i32) i32.const -2^31)
    const body64 = [0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f, 0x0b];
    const bytes = mod(...sec(1, 1, 0x60, 0, 1, 0x7e), ...sec(3, 1, 0), ...sec(7, 1, 1, 0x66, 0, 0), ...sec(10, 1, body64.length + 1, 0, ...body64));
    expect(V8.validate(bytes)).toBe(true);
    const m = new Module(bytes);
    expect(m.compiled.code.length).toBeGreaterThan(0);
    const bad = mod(...sec(1, 1, 0x60, 0, 1, 0x7e), ...sec(3, 1, 0), ...sec(10, 1, 13, 0, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x70, 0x0b));
    expect(V8.validate(bad)).toBe(false);
    expect(() => new Module(bad)).toThrow(DecodeError);
  });

  it('keeps decode and validation errors apart', () => {
    const invalid = mod(...sec(1, 1, 0x60, 0, 1, 0x7f), ...sec(3, 1, 0), ...sec(10, 1, 2, 0, 0x0b));
    expect(() => new Module(invalid)).toThrow(ValidationError);
  });
});

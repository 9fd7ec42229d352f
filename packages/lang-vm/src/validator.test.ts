import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { Module } from './instance.js';
import { V8 } from './test-support/v8.js';
import { wat } from './test-support/wat.js';

/** [rule the error must name, function index (-1: module level), module text] — each from spec 3.3/3.4. */
const INVALID: readonly [string, number, string][] = [
  ['type mismatch', 0, '(module (func (result i32) (i32.add (i32.const 1) (i64.const 2))))'],
  ['operand stack underflow', 0, '(module (func (result i32) i32.const 1 i32.add))'],
  ['values remain', 0, '(module (func (i32.const 1)))'],
  ['type mismatch', 0, '(module (func (result i64) (i32.const 1)))'],
  ['unknown local', 0, '(module (func (local.get 3)))'],
  ['unknown global', 0, '(module (func (result i32) (global.get 0)))'],
  ['global is immutable', 0, '(module (global i32 (i32.const 0)) (func (global.set 0 (i32.const 1))))'],
  ['unknown function', 0, '(module (func (call 7)))'],
  ['unknown table', 0, '(module (type (func)) (func (call_indirect (type 0) (i32.const 0))))'],
  ['unknown type', 0, '(module (table 1 funcref) (func (call_indirect (type 9) (i32.const 0))))'],
  ['unknown label', 0, '(module (func (br 2)))'],
  ['br_table targets have different arities', 0, '(module (func (result i32) (block (result i32) (block (br_table 0 1 (i32.const 1) (i32.const 0))) (i32.const 2))))'],
  ['if without else', 0, '(module (func (result i32) (if (result i32) (i32.const 1) (then (i32.const 1)))))'],
  ['untyped select needs numeric', 0, '(module (func (param externref) (drop (select (local.get 0) (local.get 0) (i32.const 1)))))'],
  ['select operands', 0, '(module (func (drop (select (i32.const 1) (i64.const 1) (i32.const 1)))))'],
  ['unknown memory', 0, '(module (func (drop (i32.load (i32.const 0)))))'],
  ['alignment must not be larger than natural', 0, '(module (memory 1) (func (drop (i32.load align=8 (i32.const 0)))))'],
  ['alignment must not be larger than natural', 0, '(module (memory 1) (func (i64.store16 align=4 (i32.const 0) (i64.const 0))))'],
  ['unknown memory', 0, '(module (func (drop (memory.size))))'],
  ['unknown data segment', 0, '(module (memory 1) (data "a") (func (data.drop 1)))'],
  ['unknown elem segment', 0, '(module (func (elem.drop 0)))'],
  ['undeclared function reference', 0, '(module (func (drop (ref.func 0))))'],
  ['ref.is_null needs a reference', 0, '(module (func (drop (ref.is_null (i32.const 0)))))'],
  ['table.copy between tables of different element types', 0, '(module (table 1 funcref) (table 1 externref) (func (table.copy 0 1 (i32.const 0) (i32.const 0) (i32.const 0))))'],
  ['table.init element type differs', 0, '(module (table 1 externref) (elem funcref (ref.null func)) (func (table.init 0 0 (i32.const 0) (i32.const 0) (i32.const 0))))'],
  ['call_indirect needs a funcref table', 0, '(module (type (func)) (table 1 externref) (func (call_indirect (type 0) (i32.const 0))))'],
  ['type mismatch', 1, '(module (func) (func (param i32) (result i32) (block (result i64) (local.get 0))))'],
  ['type mismatch', 0, '(module (func (loop (param i32) (br 0))))'],
  ['start function must have type', -1, '(module (func (param i32)) (start 0))'],
  ['duplicate export name', -1, '(module (func) (export "a" (func 0)) (export "a" (func 0)))'],
  ['memory size must be at most 65536', -1, '(module (memory 65537))'],
  ['size minimum must not be greater than maximum', -1, '(module (memory 2 1))'],
  ['size minimum must not be greater than maximum', -1, '(module (table 3 2 funcref))'],
  ['constant expression is i64, expected i32', -1, '(module (global i32 (i64.const 0)))'],
  ['unknown global', -1, '(module (global i32 (i32.const 0)) (global i32 (global.get 0)))'],
  ['is mutable', -1, '(module (import "a" "g" (global (mut i32))) (global i32 (global.get 0)))'],
  ['type mismatch: element segment', -1, '(module (table 1 externref) (elem (i32.const 0) func 0) (func))'],
  ['unknown table', -1, '(module (elem (i32.const 0) func 0) (func))'],
  ['unknown memory', -1, '(module (data (i32.const 0) "a"))'],
  ['unknown function', -1, '(module (export "f" (func 3)))'],
  ['global is immutable', 0, '(module (import "a" "g" (global i32)) (func (global.set 0 (i32.const 0))))'],
  ['type mismatch', 0, '(module (global (mut i64) (i64.const 0)) (func (global.set 0 (i32.const 1))))'],
  ['type mismatch', 0, '(module (func (param i64) (local.set 0 (f64.const 1))))'],
  ['type mismatch', 0, '(module (func (param i32) (result i64) (local.tee 0 (i32.const 1))))'],
  ['type mismatch', 0, '(module (func (result i32) (return (i64.const 1))))'],
  ['type mismatch', 0, '(module (func (result i32) (block (result i32) (br_if 0 (i64.const 1) (i32.const 1)))))'],
  ['type mismatch', 0, '(module (func (if (i64.const 1) (then))))'],
  ['type mismatch', 0, '(module (func (param externref) (drop (select (result funcref) (local.get 0) (local.get 0) (i32.const 1)))))'],
  ['type mismatch', 0, '(module (table 1 funcref) (func (drop (table.grow 0 (ref.null extern) (i32.const 1)))))'],
  ['type mismatch', 0, '(module (table 1 externref) (func (table.fill 0 (i32.const 0) (ref.null func) (i32.const 1))))'],
  ['type mismatch', 0, '(module (memory 1) (func (drop (memory.grow (i64.const 1)))))'],
  ['type mismatch', 0, '(module (memory 1) (func (i32.store (i32.const 0) (f32.const 1))))'],
  ['type mismatch', 0, '(module (func (call 1 (i64.const 1))) (func (param i32)))'],
  ['type mismatch', 1, '(module (type (func (param i32) (result i32))) (table 1 funcref) (func) (func (drop (call_indirect (type 0) (i64.const 1) (i32.const 0)))))'],
  ['type mismatch', 0, '(module (func (result i32 i32) (i32.const 1)))'],
  ['type mismatch', 0, '(module (func (block (param i32) (drop))))'],
  ['unknown table', 0, '(module (func (drop (table.size 0))))'],
  ['unknown memory', 0, '(module (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))))'],
  ['constant expression required', -1, '(module (global i32 (i32.add (i32.const 1) (i32.const 2))))'],
  ['undeclared function reference', 1, '(module (func) (func (drop (ref.func 0))) (elem (i32.const 0) funcref) (table 1 funcref))'],
];

describe('validator (spec 3): rejects every invalid module like V8, naming function, offset and rule', () => {
  it.each(INVALID)('%s (function %i): %s', async (rule, funcIndex, text) => {
    const bytes = await wat(text, { validate: false });
    expect(V8.validate(bytes)).toBe(false);
    let error: unknown;
    try {
      new Module(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const v = error as ValidationError;
    expect(v.rule).toContain(rule);
    expect(v.funcIndex).toBe(funcIndex);
    if (funcIndex >= 0) {
      expect(v.offset).toBeGreaterThan(8);
      expect(v.offset).toBeLessThan(bytes.length);
      expect(v.message).toContain(`function ${funcIndex}`);
    }
  });

  it('accepts what is valid only by the spec algorithm: unreachable code is polymorphic (spec 3.3.5)', async () => {
    const texts = [
      '(module (func (result i32) (unreachable) (i32.add)))',
      '(module (func (result i32) (block (result i32) (br 0 (i32.const 1)) (i64.const 0) (drop))))',
      '(module (func (result f32) (return (f32.const 1)) (select)))',
      '(module (func (param i32) (result i64) (block (result i64) (br_table 0 0 (i64.const 1) (local.get 0)))))',
    ];
    for (const t of texts) {
      const bytes = await wat(t, { validate: false });
      expect(V8.validate(bytes)).toBe(true);
      expect(() => new Module(bytes)).not.toThrow();
    }
  });

  it('still checks types inside a block that starts in unreachable code', async () => {
    const bytes = await wat('(module (func (unreachable) (block (result i32))))', { validate: false });
    expect(V8.validate(bytes)).toBe(false);
    expect(() => new Module(bytes)).toThrow(ValidationError);
  });
});

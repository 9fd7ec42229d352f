import { beforeAll, describe, expect, it } from 'vitest';
import { FuelExhausted, LinkError, Trap } from './errors.js';
import { uleb128 } from './leb128.js';
import type { Instance } from './instance.js';
import { Global, Memory, Table } from './runtime.js';
import { Differential } from './test-support/differential.js';
import type { EngineFactory } from './test-support/differential.js';
import { V8 } from './test-support/v8.js';
import { wat } from './test-support/wat.js';

export type { EngineFactory } from './test-support/differential.js';

// Edge values per type (spec 4.3: boundaries of every operator's domain).
const I32S = [0, 1, -1, 2, 7, -7, 31, 32, 33, 63, 64, 0x7fffffff, -0x80000000, 0x12345678, -0x12345678, -0x55555556, 0x0000ff00];
const I64S = [0n, 1n, -1n, 2n, 10n, -10n, 31n, 32n, 63n, 64n, 65n, 0xffffffffn, 0x100000000n, -0x100000000n, 0x7fffffffffffffffn, -0x8000000000000000n,
  0x123456789abcdefn, -0x123456789abcdefn, 1n << 52n, (1n << 53n) + 1n, 0xfedcba9876543210n - (1n << 64n), 0x8000000000000001n - (1n << 64n)];
const F32S = [0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 3.5, NaN, Infinity, -Infinity, 3.4028234663852886e38, 1.401298464324817e-45, -1.1754943508222875e-38,
  2147483648, -2147483648, 2147483520, 4294967296, 4294967040, 9223372036854775808, -9223372036854775808, 9.223371487098962e18, 18446744073709551616, 1e10, 0.1, -0.75];
const F64S = [0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, -3.5, NaN, Infinity, -Infinity, 1.7976931348623157e308, 5e-324, -2.2250738585072014e-308,
  2147483647.9, 2147483648, -2147483648.9, -2147483649, 4294967295.5, 4294967296, 9007199254740994, 9223372036854774784, -9223372036854775808,
  -9223372036854777856, 18446744073709549568, 18446744073709551616, 4503599627370495.5, 1e300, 0.1, -1e-300];
const NAN_BITS32 = [0x7fc00000, 0xffc00000 | 0, 0x7fa00001, 0xff800001 | 0, 0x7f800000, 0x3f800000, 0x80000000 | 0, 0];
const NAN_BITS64 = [0x7ff8000000000000n, 0xfff8000000000000n - (1n << 64n), 0x7ff4000000000001n, 0xfff0000000000001n - (1n << 64n), 0x7ff0000000000000n, 0x3ff0000000000000n, 0n];

type T = 'i32' | 'i64' | 'f32' | 'f64';
const VALUES: Record<T, readonly unknown[]> = { i32: I32S, i64: I64S, f32: F32S, f64: F64S };

const UNARY: readonly [string, T, T][] = [
  ['i32.eqz', 'i32', 'i32'], ['i32.clz', 'i32', 'i32'], ['i32.ctz', 'i32', 'i32'], ['i32.popcnt', 'i32', 'i32'],
  ['i64.eqz', 'i64', 'i32'], ['i64.clz', 'i64', 'i64'], ['i64.ctz', 'i64', 'i64'], ['i64.popcnt', 'i64', 'i64'],
  ['f32.abs', 'f32', 'f32'], ['f32.neg', 'f32', 'f32'], ['f32.ceil', 'f32', 'f32'], ['f32.floor', 'f32', 'f32'], ['f32.trunc', 'f32', 'f32'], ['f32.nearest', 'f32', 'f32'], ['f32.sqrt', 'f32', 'f32'],
  ['f64.abs', 'f64', 'f64'], ['f64.neg', 'f64', 'f64'], ['f64.ceil', 'f64', 'f64'], ['f64.floor', 'f64', 'f64'], ['f64.trunc', 'f64', 'f64'], ['f64.nearest', 'f64', 'f64'], ['f64.sqrt', 'f64', 'f64'],
  ['i32.wrap_i64', 'i64', 'i32'], ['i32.trunc_f32_s', 'f32', 'i32'], ['i32.trunc_f32_u', 'f32', 'i32'], ['i32.trunc_f64_s', 'f64', 'i32'], ['i32.trunc_f64_u', 'f64', 'i32'],
  ['i64.extend_i32_s', 'i32', 'i64'], ['i64.extend_i32_u', 'i32', 'i64'], ['i64.trunc_f32_s', 'f32', 'i64'], ['i64.trunc_f32_u', 'f32', 'i64'], ['i64.trunc_f64_s', 'f64', 'i64'], ['i64.trunc_f64_u', 'f64', 'i64'],
  ['f32.convert_i32_s', 'i32', 'f32'], ['f32.convert_i32_u', 'i32', 'f32'], ['f32.convert_i64_s', 'i64', 'f32'], ['f32.convert_i64_u', 'i64', 'f32'], ['f32.demote_f64', 'f64', 'f32'],
  ['f64.convert_i32_s', 'i32', 'f64'], ['f64.convert_i32_u', 'i32', 'f64'], ['f64.convert_i64_s', 'i64', 'f64'], ['f64.convert_i64_u', 'i64', 'f64'], ['f64.promote_f32', 'f32', 'f64'],
  ['i32.reinterpret_f32', 'f32', 'i32'], ['i64.reinterpret_f64', 'f64', 'i64'], ['f32.reinterpret_i32', 'i32', 'f32'], ['f64.reinterpret_i64', 'i64', 'f64'],
  ['i32.extend8_s', 'i32', 'i32'], ['i32.extend16_s', 'i32', 'i32'], ['i64.extend8_s', 'i64', 'i64'], ['i64.extend16_s', 'i64', 'i64'], ['i64.extend32_s', 'i64', 'i64'],
  ['i32.trunc_sat_f32_s', 'f32', 'i32'], ['i32.trunc_sat_f32_u', 'f32', 'i32'], ['i32.trunc_sat_f64_s', 'f64', 'i32'], ['i32.trunc_sat_f64_u', 'f64', 'i32'],
  ['i64.trunc_sat_f32_s', 'f32', 'i64'], ['i64.trunc_sat_f32_u', 'f32', 'i64'], ['i64.trunc_sat_f64_s', 'f64', 'i64'], ['i64.trunc_sat_f64_u', 'f64', 'i64'],
];
const BINARY: readonly [string, T, T][] = [
  ...['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'].flatMap((o): [string, T, T][] => [[`i32.${o}`, 'i32', 'i32'], [`i64.${o}`, 'i64', 'i32']]),
  ...['eq', 'ne', 'lt', 'gt', 'le', 'ge'].flatMap((o): [string, T, T][] => [[`f32.${o}`, 'f32', 'i32'], [`f64.${o}`, 'f64', 'i32']]),
  ...['add', 'sub', 'mul', 'div_s', 'div_u', 'rem_s', 'rem_u', 'and', 'or', 'xor', 'shl', 'shr_s', 'shr_u', 'rotl', 'rotr'].flatMap((o): [string, T, T][] => [[`i32.${o}`, 'i32', 'i32'], [`i64.${o}`, 'i64', 'i64']]),
  ...['add', 'sub', 'mul', 'div', 'min', 'max', 'copysign'].flatMap((o): [string, T, T][] => [[`f32.${o}`, 'f32', 'f32'], [`f64.${o}`, 'f64', 'f64']]),
];

const exportName = (op: string) => op;
/**
 * Integer comparisons, each also as the condition of a br_if, a br_if carrying a value and an if
 * (a tier may branch on the comparison itself); the i32 ones with a second operand computed by a
 * select, so that it is a value of its own rather than an expression over locals.
 */
const COMPARES = ['i32', 'i64'].flatMap((t) => [`${t}.eqz`, ...['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'].map((o) => `${t}.${o}`)]);
function numericModule(): string {
  const second = (t: string) => (t === 'i32' ? '(select (local.get 1) (local.get 0) (i32.const 1))' : '(local.get 1)');
  const operands = (op: string) => (op.endsWith('.eqz') ? '(local.get 0)' : `(local.get 0) ${second(op.slice(0, 3))}`);
  const fns = [
    ...UNARY.map(([op, a, r]) => `(func (export "${exportName(op)}") (param ${a}) (result ${r}) (${op} (local.get 0)))`),
    ...BINARY.map(([op, a, r]) => `(func (export "${exportName(op)}") (param ${a} ${a}) (result ${r}) (${op} (local.get 0) (local.get 1)))`),
    ...COMPARES.flatMap((op) => {
      const t = op.slice(0, 3);
      return [
        `(func (export "br_if ${op}") (param ${t} ${t}) (result i32) (block (br_if 0 (${op} ${operands(op)})) (return (i32.const 5))) (i32.const 9))`,
        `(func (export "br_if value ${op}") (param ${t} ${t}) (result i32) (block (result i32) (drop (br_if 0 (i32.const 11) (${op} ${operands(op)}))) (i32.const 13)))`,
        `(func (export "if ${op}") (param ${t} ${t}) (result i32) (if (result i32) (${op} ${operands(op)}) (then (i32.const 21)) (else (i32.const 23))))`,
      ];
    }),
  ];
  return `(module ${fns.join('\n')})`;
}

/** Bit-exact float operations (spec 4.3.3: neg, abs, copysign, reinterpret, load/store do not touch NaN payloads). */
const BITS_MODULE = `(module (memory 1)
  (func (export "f32.neg") (param i32) (result i32) (i32.reinterpret_f32 (f32.neg (f32.reinterpret_i32 (local.get 0)))))
  (func (export "f32.abs") (param i32) (result i32) (i32.reinterpret_f32 (f32.abs (f32.reinterpret_i32 (local.get 0)))))
  (func (export "f32.copysign") (param i32 i32) (result i32) (i32.reinterpret_f32 (f32.copysign (f32.reinterpret_i32 (local.get 0)) (f32.reinterpret_i32 (local.get 1)))))
  (func (export "f32.store_load") (param i32) (result i32) (f32.store (i32.const 8) (f32.reinterpret_i32 (local.get 0))) (i32.reinterpret_f32 (f32.load (i32.const 8))))
  (func (export "f32.select") (param i32 i32) (result i32) (i32.reinterpret_f32 (select (f32.reinterpret_i32 (local.get 0)) (f32.const 0) (local.get 1))))
  (func (export "f32.add_is_arith_nan") (param i32) (result i32)
    (i32.eq (i32.and (i32.reinterpret_f32 (f32.add (f32.reinterpret_i32 (local.get 0)) (f32.const 1))) (i32.const 0x7fc00000)) (i32.const 0x7fc00000)))
  (func (export "f64.neg") (param i64) (result i64) (i64.reinterpret_f64 (f64.neg (f64.reinterpret_i64 (local.get 0)))))
  (func (export "f64.abs") (param i64) (result i64) (i64.reinterpret_f64 (f64.abs (f64.reinterpret_i64 (local.get 0)))))
  (func (export "f64.copysign") (param i64 i64) (result i64) (i64.reinterpret_f64 (f64.copysign (f64.reinterpret_i64 (local.get 0)) (f64.reinterpret_i64 (local.get 1)))))
  (func (export "f64.store_load") (param i64) (result i64) (f64.store (i32.const 8) (f64.reinterpret_i64 (local.get 0))) (i64.reinterpret_f64 (f64.load (i32.const 8))))
  (func (export "f64.mul_is_arith_nan") (param i64) (result i32)
    (i64.eq (i64.and (i64.reinterpret_f64 (f64.mul (f64.reinterpret_i64 (local.get 0)) (f64.const 2))) (i64.const 0x7ff8000000000000)) (i64.const 0x7ff8000000000000)))
  (func (export "f32.canonical_sqrt_neg") (result i32) (i32.and (i32.reinterpret_f32 (f32.sqrt (f32.const -1))) (i32.const 0x7fffffff)))
  (func (export "f64.canonical_div_zero") (result i64) (i64.and (i64.reinterpret_f64 (f64.div (f64.const 0) (f64.const 0))) (i64.const 0x7fffffffffffffff)))
)`;

const CONTROL_MODULE = `(module
  (type $ii (func (param i32) (result i32)))
  (table $t 4 funcref)
  (elem (table $t) (i32.const 0) func $double $square $pair_sum)
  (func $double (type $ii) (i32.mul (local.get 0) (i32.const 2)))
  (func $square (type $ii) (i32.mul (local.get 0) (local.get 0)))
  (func $pair_sum (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "call_indirect") (param i32 i32) (result i32) (call_indirect $t (type $ii) (local.get 1) (local.get 0)))
  (func (export "fac") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 1)) (else (i64.mul (local.get 0) (call 4 (i64.sub (local.get 0) (i64.const 1)))))))
  (func (export "br_table") (param i32) (result i32)
    (block $d (block $c (block $b (block $a (br_table $a $b $c $d (local.get 0))) (return (i32.const 10))) (return (i32.const 11))) (return (i32.const 12))) (i32.const 13))
  (func (export "br_value") (param i32) (result i32)
    (block (result i32) (drop (br_if 0 (i32.const 7) (local.get 0))) (i32.const 8)))
  (func (export "loop_sum") (param i32) (result i32) (local i32)
    (loop $l (local.set 1 (i32.add (local.get 1) (local.get 0))) (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))) (local.get 1))
  (func $swap (export "swap") (param i32 i64) (result i64 i32) (local.get 1) (local.get 0))
  (func (export "multi_block") (param i32) (result i32)
    (i32.const 3) (local.get 0) (block (param i32 i32) (result i32) (i32.sub)))
  (func (export "multi_loop") (param i32) (result i32)
    (i32.const 0) (local.get 0)
    (loop $l (param i32 i32) (result i32)
      (local.set 0) (i32.add (local.get 0)) (i32.sub (local.get 0) (i32.const 1)) (local.tee 0) (local.get 0) (br_if $l) (drop)))
  (func (export "call_swap") (param i64 i32) (result i64) (call $swap (local.get 1) (local.get 0)) (drop))
  (func (export "select") (param i32 i64 i64) (result i64) (select (local.get 1) (local.get 2) (local.get 0)))
  (func (export "if_else_multi") (param i32) (result i32 i32)
    (if (result i32 i32) (local.get 0) (then (i32.const 1) (i32.const 2)) (else (i32.const 3) (i32.const 4))))
  (func (export "nested_br") (param i32) (result i32)
    (block $out (result i32) (loop $l (result i32) (block $in (br_if $in (i32.gt_s (local.get 0) (i32.const 5))) (local.set 0 (i32.add (local.get 0) (i32.const 2))) (br $l))
      (br $out (i32.mul (local.get 0) (i32.const 10))))))
  (func (export "return_mid") (param i32) (result i32) (if (local.get 0) (then (return (i32.const 99)))) (i32.const 1))
  (func (export "unreachable") (unreachable))
)`;

const MEMORY_MODULE = `(module
  (memory (export "mem") 1 3)
  (data (i32.const 16) "\\01\\02\\03\\04\\05\\06\\07\\08\\ff\\fe\\80\\7f")
  (data $passive "hello")
  (func (export "i32.load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "i32.load_off") (param i32) (result i32) (i32.load offset=4 (local.get 0)))
  (func (export "i64.load") (param i32) (result i64) (i64.load (local.get 0)))
  (func (export "i32.load8_s") (param i32) (result i32) (i32.load8_s (local.get 0)))
  (func (export "i32.load8_u") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "i32.load16_s") (param i32) (result i32) (i32.load16_s (local.get 0)))
  (func (export "i32.load16_u") (param i32) (result i32) (i32.load16_u (local.get 0)))
  (func (export "i64.load8_s") (param i32) (result i64) (i64.load8_s (local.get 0)))
  (func (export "i64.load8_u") (param i32) (result i64) (i64.load8_u (local.get 0)))
  (func (export "i64.load16_s") (param i32) (result i64) (i64.load16_s (local.get 0)))
  (func (export "i64.load16_u") (param i32) (result i64) (i64.load16_u (local.get 0)))
  (func (export "i64.load32_s") (param i32) (result i64) (i64.load32_s (local.get 0)))
  (func (export "i64.load32_u") (param i32) (result i64) (i64.load32_u (local.get 0)))
  (func (export "f64.load") (param i32) (result f64) (f64.load (local.get 0)))
  (func (export "f32.load") (param i32) (result f32) (f32.load (local.get 0)))
  (func (export "i32.store") (param i32 i32) (result i64) (i32.store (local.get 0) (local.get 1)) (i64.load (local.get 0)))
  (func (export "i32.store8") (param i32 i32) (result i64) (i32.store8 (local.get 0) (local.get 1)) (i64.load (local.get 0)))
  (func (export "i32.store16") (param i32 i32) (result i64) (i32.store16 (local.get 0) (local.get 1)) (i64.load (local.get 0)))
  (func (export "i64.store") (param i32 i64) (result i64) (i64.store (local.get 0) (local.get 1)) (i64.load (local.get 0)))
  (func (export "i64.store8") (param i32 i64) (result i64) (i64.store8 (local.get 0) (local.get 1)) (i64.load (local.get 0)))
  (func (export "i64.store16") (param i32 i64) (result i64) (i64.store16 (local.get 0) (local.get 1)) (i64.load (local.get 0)))
  (func (export "i64.store32") (param i32 i64) (result i64) (i64.store32 (local.get 0) (local.get 1)) (i64.load (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i32 i32 i32) (memory.init $passive (local.get 0) (local.get 1) (local.get 2)))
  (func (export "drop") (data.drop $passive))
)`;

const TABLE_MODULE = `(module
  (type $v (func (result i32)))
  (table $t (export "tab") 3 10 funcref)
  (table $e 2 externref)
  (elem $seg funcref (ref.func $one) (ref.func $two) (ref.null func))
  (elem declare func $three)
  (func $one (result i32) (i32.const 1))
  (func $two (result i32) (i32.const 2))
  (func $three (result i32) (i32.const 3))
  (func (export "init") (param i32 i32 i32) (table.init $t $seg (local.get 0) (local.get 1) (local.get 2)))
  (func (export "drop") (elem.drop $seg))
  (func (export "call") (param i32) (result i32) (call_indirect $t (type $v) (local.get 0)))
  (func (export "size") (result i32) (table.size $t))
  (func (export "grow") (param i32) (result i32) (table.grow $t (ref.func $three) (local.get 0)))
  (func (export "fill") (param i32 i32) (table.fill $t (local.get 0) (ref.func $two) (local.get 1)))
  (func (export "copy") (param i32 i32 i32) (table.copy $t $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "is_null") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))
  (func (export "set_null") (param i32) (table.set $t (local.get 0) (ref.null func)))
  (func (export "set_three") (param i32) (table.set $t (local.get 0) (ref.func $three)))
  (func (export "ext_roundtrip") (param externref) (result externref) (table.set $e (i32.const 1) (local.get 0)) (table.get $e (i32.const 1)))
  (func (export "ext_is_null") (param externref) (result i32) (ref.is_null (local.get 0)))
)`;

/**
 * The engine-tier conformance suite: every tier of lang-vm (and any later one) calls this with a
 * factory that instantiates module bytes on that tier. Each module also runs on Node's own
 * WebAssembly and both must give the same values or trap classes; a few expectations come
 * straight from the spec.
 */
export function describeEngineConformance(factory: EngineFactory, name = 'lang-vm'): void {
  describe(`engine '${name}' conformance`, () => {
    describe('numeric instructions against V8 on edge values', () => {
      let d: Differential;
      beforeAll(async () => {
        d = new Differential(await wat(numericModule()), factory);
      });
      it.each(UNARY.map(([op, a]) => [op, a] as const))('%s', (op, a) => {
        for (const x of VALUES[a]) d.same(op, x);
      });
      it.each(BINARY.map(([op, a]) => [op, a] as const))('%s', (op, a) => {
        const vs = VALUES[a];
        for (const x of vs) for (const y of vs) d.same(op, x, y);
      });
      it.each(COMPARES)('%s as the condition of br_if, br_if with a value and if', (op) => {
        const vs = op.startsWith('i32') ? I32S : I64S;
        for (const x of vs) {
          for (const y of vs) for (const form of ['br_if', 'br_if value', 'if']) d.same(`${form} ${op}`, x, y);
        }
        const one = op.startsWith('i32') ? 1 : 1n;
        d.returns(`br_if ${op}`, [one, one], /\.(eq|le_[su]|ge_[su])$/.test(op) ? 9 : 5);
      });
      it('follows the spec on named cases', () => {
        d.returns('i32.div_s', [-7, 2], -3);
        d.returns('i32.rem_s', [-7, 2], -1);
        d.returns('i32.rem_s', [-0x80000000, -1], 0);
        d.traps('i32.div_s', [-0x80000000, -1], 'integer overflow');
        d.traps('i64.div_s', [-0x8000000000000000n, -1n], 'integer overflow');
        d.traps('i32.div_u', [1, 0], 'integer divide by zero');
        d.traps('i64.rem_u', [1n, 0n], 'integer divide by zero');
        d.returns('i32.shl', [1, 33], 2);
        d.returns('i64.shr_u', [-1n, 65n], 0x7fffffffffffffffn);
        d.returns('i32.rotl', [0x80000001 | 0, 1], 3);
        d.returns('i64.rotr', [1n, 1n], -0x8000000000000000n);
        d.returns('f32.nearest', [2.5], 2);
        d.returns('f64.nearest', [-0.5], -0);
        d.returns('f64.min', [0, -0], -0);
        d.returns('f32.max', [-0, 0], 0);
        d.returns('f64.copysign', [1, -0], -1);
        d.traps('i32.trunc_f32_s', [NaN], 'conversion');
        d.traps('i64.trunc_f64_u', [-1], 'conversion');
        d.returns('i64.trunc_f64_u', [-0.9], 0n);
        d.returns('i32.trunc_sat_f64_u', [-5], 0);
        d.returns('i64.trunc_sat_f32_s', [Infinity], 0x7fffffffffffffffn);
        d.returns('f32.convert_i64_s', [0x7fffff4000000001n], 9223371487098961920);
        d.returns('f64.convert_i64_s', [(1n << 53n) + 1n], 9007199254740992);
      });
    });

    describe('NaN payloads and signs (bit-exact operations)', () => {
      let d: Differential;
      beforeAll(async () => {
        d = new Differential(await wat(BITS_MODULE), factory);
      });
      it('f32 neg, abs, copysign, store/load and select keep payloads', () => {
        for (const x of NAN_BITS32) {
          d.same('f32.neg', x);
          d.same('f32.abs', x);
          d.same('f32.store_load', x);
          d.same('f32.select', x, 1);
          for (const y of NAN_BITS32) d.same('f32.copysign', x, y);
        }
        d.returns('f32.neg', [0x7fa00001], 0xffa00001 | 0);
      });
      it('f64 neg, abs, copysign and store/load keep payloads', () => {
        for (const x of NAN_BITS64) {
          d.same('f64.neg', x);
          d.same('f64.abs', x);
          d.same('f64.store_load', x);
          for (const y of NAN_BITS64) d.same('f64.copysign', x, y);
        }
        d.returns('f64.store_load', [0x7ff4000000000001n], 0x7ff4000000000001n);
      });
      it('arithmetic on NaN gives an arithmetic NaN; on non-NaN a canonical one (spec 4.3.3)', () => {
        for (const x of NAN_BITS32.slice(0, 4)) d.returns('f32.add_is_arith_nan', [x], 1);
        for (const x of NAN_BITS64.slice(0, 4)) d.returns('f64.mul_is_arith_nan', [x], 1);
        d.returns('f32.canonical_sqrt_neg', [], 0x7fc00000);
        d.returns('f64.canonical_div_zero', [], 0x7ff8000000000000n);
      });
    });

    describe('control flow, calls and multi-value', () => {
      let d: Differential;
      beforeAll(async () => {
        d = new Differential(await wat(CONTROL_MODULE), factory);
      });
      it('blocks, loops, branches and br_table', () => {
        for (const i of [-1, 0, 1, 2, 3, 4, 100]) d.same('br_table', i);
        d.returns('br_table', [1], 11);
        d.returns('br_value', [1], 7);
        d.returns('br_value', [0], 8);
        d.returns('loop_sum', [100], 5050);
        d.returns('nested_br', [0], 60);
        d.returns('return_mid', [1], 99);
        d.returns('return_mid', [0], 1);
      });
      it('calls, recursion and call_indirect with its traps', () => {
        d.returns('fac', [20n], 2432902008176640000n);
        d.returns('call_indirect', [0, 21], 42);
        d.returns('call_indirect', [1, 9], 81);
        d.traps('call_indirect', [2, 1], 'indirect call');
        d.traps('call_indirect', [3, 1], 'indirect call');
        d.traps('call_indirect', [4, 1], 'table bounds');
        d.traps('unreachable', [], 'unreachable');
      });
      it('multi-value results, block and loop parameters, select', () => {
        d.returns('swap', [1, 2n], [2n, 1]);
        d.returns('multi_block', [1], 2);
        d.returns('multi_loop', [4], 10);
        d.returns('call_swap', [5n, 6], 5n);
        d.returns('if_else_multi', [0], [3, 4]);
        d.returns('if_else_multi', [7], [1, 2]);
        d.returns('select', [0, 1n, 2n], 2n);
        d.returns('select', [1, 1n, 2n], 1n);
      });
    });

    describe('linear memory and bulk memory', () => {
      let d: Differential;
      beforeAll(async () => {
        d = new Differential(await wat(MEMORY_MODULE), factory);
      });
      it('loads of every width and sign extension, at the bounds', () => {
        const loads = ['i32.load', 'i32.load_off', 'i64.load', 'i32.load8_s', 'i32.load8_u', 'i32.load16_s', 'i32.load16_u', 'i64.load8_s', 'i64.load8_u',
          'i64.load16_s', 'i64.load16_u', 'i64.load32_s', 'i64.load32_u', 'f32.load', 'f64.load'];
        for (const op of loads) for (const a of [16, 17, 20, 23, 24, 25, 65528, 65532, 65534, 65535, 65536, -1, -4]) d.same(op, a);
        d.returns('i32.load', [16], 0x04030201);
        d.returns('i32.load8_s', [24], -1);
        d.traps('i32.load', [65533], 'out of bounds memory access');
        d.traps('i32.load_off', [-1], 'out of bounds memory access');
      });
      it('stores of every width', () => {
        for (const a of [0, 100, 65528, 65529, 65535]) {
          for (const v of [0, -1, 0x12345678]) for (const op of ['i32.store', 'i32.store8', 'i32.store16']) d.same(op, a, v);
          for (const v of [0n, -1n, 0x123456789abcdefn]) for (const op of ['i64.store', 'i64.store8', 'i64.store16', 'i64.store32']) d.same(op, a, v);
        }
      });
      it('memory.size, memory.grow to the maximum, fill, copy, init and data.drop', () => {
        d.returns('size', [], 1);
        d.returns('grow', [1], 1);
        d.returns('grow', [2], -1);
        d.returns('grow', [1], 2);
        d.returns('size', [], 3);
        d.same('fill', 100, 0xab, 10);
        d.same('i64.load', 100);
        d.traps('fill', [196600, 1, 10], 'out of bounds memory access');
        d.same('copy', 101, 16, 8);
        d.same('i64.load', 100);
        d.same('copy', 18, 16, 8);
        d.same('i64.load', 16);
        d.traps('copy', [0, 196600, 100], 'out of bounds memory access');
        d.same('init', 200, 1, 4);
        d.returns('i32.load', [200], 0x6f6c6c65);
        d.traps('init', [0, 2, 4], 'out of bounds memory access');
        d.same('drop');
        d.same('init', 0, 0, 0);
        d.traps('init', [0, 0, 1], 'out of bounds memory access');
      });
    });

    describe('tables and references', () => {
      let d: Differential;
      beforeAll(async () => {
        d = new Differential(await wat(TABLE_MODULE), factory);
      });
      it('table.init, call_indirect through it, elem.drop, size, grow, fill, copy, get, set', () => {
        d.traps('call', [0], 'indirect call');
        d.same('init', 0, 0, 3);
        d.returns('call', [1], 2);
        d.traps('call', [2], 'indirect call');
        d.traps('init', [2, 0, 3], 'table bounds');
        d.same('drop');
        d.traps('init', [0, 0, 1], 'table bounds');
        d.returns('size', [], 3);
        d.returns('grow', [2], 3);
        d.returns('call', [4], 3);
        d.returns('grow', [100], -1);
        d.same('fill', 0, 2);
        d.returns('call', [1], 2);
        d.traps('fill', [4, 2], 'table bounds');
        d.same('copy', 3, 0, 2);
        d.returns('call', [3], 2);
        d.returns('is_null', [4], 0);
        d.same('set_null', 4);
        d.returns('is_null', [4], 1);
        d.traps('is_null', [5], 'table bounds');
        d.traps('set_three', [5], 'table bounds');
      });
      it('externref values round-trip by identity', () => {
        const o = { any: 'object' };
        expect((d.ours.exports.ext_roundtrip as (v: unknown) => unknown)(o)).toBe(o);
        d.returns('ext_is_null', [null], 1);
        d.returns('ext_is_null', [o], 0);
        d.returns('ext_is_null', [undefined], 0);
      });
    });

    describe('imports, exports and instantiation', () => {
      it('calls host functions, shares memory, tables and mutable globals', async () => {
        const bytes = await wat(`(module
          (import "env" "add" (func $add (param i32 i64) (result i64)))
          (import "env" "g" (global $g (mut i32)))
          (import "env" "mem" (memory 1))
          (import "env" "tab" (table 2 funcref))
          (global (export "k") i64 (i64.const -5))
          (func (export "run") (param i32) (result i64) (global.set $g (i32.add (global.get $g) (local.get 0))) (i32.store (i32.const 0) (global.get $g)) (call $add (global.get $g) (i64.const 10)))
        )`);
        const g = new Global({ value: 'i32', mutable: true }, 5);
        const mem = new Memory({ initial: 1 });
        const tab = new Table({ element: 'anyfunc', initial: 2 });
        const inst = factory(bytes, { env: { add: (a: number, b: bigint) => BigInt(a) + b, g, mem, tab } });
        expect((inst.exports.run as (x: number) => bigint)(3)).toBe(18n);
        expect(g.value).toBe(8);
        expect(new DataView(mem.buffer).getInt32(0, true)).toBe(8);
        expect((inst.exports.k as Global).value).toBe(-5n);
      });
      it('lets a host function call back into the instance (re-entrancy) and hands out funcrefs by identity', async () => {
        const bytes = await wat(`(module
          (import "env" "cb" (func $cb (param i32) (result i32)))
          (table (export "tab") 2 funcref) (elem (i32.const 0) $sq)
          (func $sq (export "sq") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
          (func (export "outer") (param i32) (result i32) (local i32)
            (local.set 1 (i32.const 1000))
            (i32.add (local.get 1) (call $cb (local.get 0))))
          (func (export "spin") (param i32) (result i32) (loop $l (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))) (local.get 0)))`);
        // The host re-enters: calls sq (through the table's funcref) and spin while outer is active.
        const cb = (x: number) => {
          const sq = (inst.exports.tab as Table).get(0) as (n: number) => number;
          return sq(x) + (inst.exports.spin as (n: number) => number)(50);
        };
        const inst: Instance = factory(bytes, { env: { cb } });
        expect((inst.exports.outer as (x: number) => number)(7)).toBe(1049);
        expect((inst.exports.tab as Table).get(0)).toBe(inst.exports.sq);
        // Fuel running out inside the re-entrant call cannot be resumed: the outer call ends, the instance stays usable.
        const metered = factory(bytes, { env: { cb: (x: number) => (metered.exports.spin as (n: number) => number)(x) } }, { fuel: 500 });
        expect(() => (metered.exports.outer as (x: number) => number)(100_000)).toThrow(FuelExhausted);
        expect(metered.suspended).toBe(false);
        metered.fuel = 1_000_000;
        expect((metered.exports.outer as (x: number) => number)(10)).toBe(1000);
      });
      it('rejects missing and mistyped imports with LinkError', async () => {
        const bytes = await wat('(module (import "env" "f" (func (param i32))) (import "env" "m" (memory 2)))');
        expect(() => factory(bytes, {})).toThrow(LinkError);
        expect(() => factory(bytes, { env: { f: () => 0, m: new Memory({ initial: 1 }) } })).toThrow(LinkError);
        expect(() => factory(bytes, { env: { f: 1, m: new Memory({ initial: 2 }) } })).toThrow(LinkError);
        const g = await wat('(module (import "env" "g" (global (mut i64))))');
        expect(() => factory(g, { env: { g: new Global({ value: 'i32', mutable: true }, 0) } })).toThrow(LinkError);
      });
      it('runs the start function and traps on segments out of bounds', async () => {
        const bytes = await wat('(module (memory (export "m") 1) (func $s (i32.store (i32.const 4) (i32.const 77))) (start $s))');
        const inst = factory(bytes);
        expect(new DataView((inst.exports.m as Memory).buffer).getInt32(4, true)).toBe(77);
        const bad = await wat('(module (memory 1) (data (i32.const 65535) "ab"))');
        expect(() => factory(bad)).toThrow(Trap);
        expect(() => new V8.Instance(new V8.Module(bad))).toThrow(V8.RuntimeError);
      });
    });

    describe('traps carry a wasm stack trace', () => {
      it('names functions and byte offsets like V8', async () => {
        const bytes = await wat(`(module
          (func $inner (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
          (func $outer (export "outer") (param i32) (result i32) (i32.add (i32.const 1) (call $inner (local.get 0)))))`);
        let ours: unknown;
        try {
          (factory(bytes).exports.outer as (x: number) => number)(0);
        } catch (e) {
          ours = e;
        }
        expect(ours).toBeInstanceOf(Trap);
        const trap = ours as Trap;
        expect(trap.kind).toBe('integer divide by zero');
        expect(trap.wasmStack.map((f) => f.name)).toEqual(['inner', 'outer']);
        let v8stack = '';
        try {
          (new V8.Instance(new V8.Module(bytes)).exports.outer as (x: number) => number)(0);
        } catch (e) {
          v8stack = String((e as Error).stack);
        }
        // V8 prints wasm positions as `wasm://wasm/<hash>:1:<byte offset + 1>`.
        const v8offsets = [...v8stack.matchAll(/wasm:\/\/wasm\/[0-9a-f]+:1:(\d+)\)/g)].map((m) => Number(m[1]) - 1);
        expect(v8offsets.length).toBe(2);
        expect(trap.wasmStack.map((f) => f.offset)).toEqual(v8offsets);
      });
    });


    describe('spec rules once broken, and deep or large valid code', () => {
      it('runs blocks, loops and ifs that no branch targets and that emit no code, like V8', async () => {
        const d = new Differential(await wat(`(module
          (func (export "a") (block (nop)))
          (func (export "b") (block (block (nop))))
          (func (export "c") (result i32) (block (nop)) (loop (block)) (i32.const 3))
          (func (export "d") (param i32) (result i32) (if (local.get 0) (then (block (nop)))) (block (loop (nop))) (local.get 0))
          (func (export "e") (block (block (block))) (loop (loop)) (if (i32.const 0) (then) (else (block)))))`), factory);
        d.returns('a', [], undefined);
        d.returns('b', [], undefined);
        d.returns('c', [], 3);
        d.returns('d', [5], 5);
        d.returns('e', [], undefined);
      });
      it('runs br_table whose labels meet at the bottom type in unreachable code', async () => {
        const bytes = await wat('(module (func (export "f") (param i32) (result i32) (block (result f64) (block (result f32) (br_if 1 (f64.const 2) (local.get 0)) (unreachable) (br_table 0 1 1 (i32.const 1))) (drop) (f64.const 0)) (drop) (i32.const 9)))', { validate: false });
        const d = new Differential(bytes, factory);
        d.returns('f', [1], 9);
        d.traps('f', [0], 'unreachable');
      });
      it('passes values between two instances bit for bit: a signalling NaN keeps its payload, as on V8', async () => {
        const callee = await wat(`(module
          (func (export "id32") (param f32) (result f32) (local.get 0))
          (func (export "id64") (param f64) (result f64) (local.get 0))
          (func (export "pair") (param f32 f64) (result f64 f32) (local.get 1) (local.get 0)))`);
        const caller = await wat(`(module
          (import "a" "id32" (func $id32 (param f32) (result f32)))
          (import "a" "id64" (func $id64 (param f64) (result f64)))
          (import "a" "pair" (func $pair (param f32 f64) (result f64 f32)))
          (table 1 funcref) (elem (i32.const 0) $id32)
          (type $t (func (param f32) (result f32)))
          (func (export "via32") (param i32) (result i32) (i32.reinterpret_f32 (call $id32 (f32.reinterpret_i32 (local.get 0)))))
          (func (export "via64") (param i64) (result i64) (i64.reinterpret_f64 (call $id64 (f64.reinterpret_i64 (local.get 0)))))
          (func (export "indirect32") (param i32) (result i32) (i32.reinterpret_f32 (call_indirect (type $t) (f32.reinterpret_i32 (local.get 0)) (i32.const 0))))
          (func (export "pair") (param i32 i64) (result i32) (local f64 f32)
            (call $pair (f32.reinterpret_i32 (local.get 0)) (f64.reinterpret_i64 (local.get 1)))
            (local.set 3) (local.set 2)
            (i32.and (i32.eq (i32.reinterpret_f32 (local.get 3)) (local.get 0)) (i64.eq (i64.reinterpret_f64 (local.get 2)) (local.get 1)))))`);
        const a = factory(callee);
        const b = factory(caller, { a: a.exports });
        const va = new V8.Instance(new V8.Module(callee));
        const vb = new V8.Instance(new V8.Module(caller), { a: va.exports });
        const SNAN32 = 0x7fa00001;
        const SNAN64 = 0x7ff4000000000001n;
        for (const [name, arg] of [['via32', SNAN32], ['via32', 0xff800001 | 0], ['indirect32', SNAN32], ['via64', SNAN64], ['via64', 0xfff0000000000001n - (1n << 64n)]] as const) {
          const ours = (b.exports[name] as (x: unknown) => unknown)(arg);
          expect(ours).toBe(arg);
          expect((vb.exports[name] as (x: unknown) => unknown)(arg)).toBe(ours);
        }
        // Multi-value across instances: both payloads come back unchanged.
        expect((b.exports.pair as (x: number, y: bigint) => number)(SNAN32, SNAN64)).toBe(1);
        expect((vb.exports.pair as (x: number, y: bigint) => number)(SNAN32, SNAN64)).toBe(1);
      });
      it('turns a host function that throws into a trap naming the import', async () => {
        const bytes = await wat('(module (import "env" "boom" (func $b (param i32))) (func (export "run") (call $b (i32.const 1))))');
        const inst = factory(bytes, { env: { boom: () => { throw new TypeError('no such file'); } } });
        let error: unknown;
        try {
          (inst.exports.run as () => void)();
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(Trap);
        expect((error as Trap).kind).toBe('host error');
        expect((error as Trap).message).toContain("import 'env'.'boom'");
        expect((error as Trap).message).toContain('no such file');
        expect((error as Error).cause).toBeInstanceOf(TypeError);
      });
      const rep = (item: readonly number[], k: number) => {
        const out: number[] = [];
        for (let i = 0; i < k; i++) out.push(...item);
        return out;
      };
      /** A module exporting "f" of type [i32] -> [i32] with this body (wabt cannot assemble bodies this deep). */
      const fnModule = (body: readonly number[]) => {
        const code = [0, ...body, 0x0b];
        return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 6, 1, 0x60, 1, 0x7f, 1, 0x7f, 3, 2, 1, 0, 7, 5, 1, 1, 0x66, 0, 0,
          10, ...uleb128(code.length + uleb128(code.length).length + 1), 1, ...uleb128(code.length), ...code]);
      };
      it('runs code nested about 900 (and 3000) deep, like V8: loops, ifs, blocks and operand chains', () => {
        for (const n of [900, 3000]) {
          const cases = [
            fnModule([...rep([0x03, 0x40], n), ...rep([0x0b], n), 0x41, 7]),
            fnModule([...rep([0x20, 0, 0x04, 0x40], n), ...rep([0x0b], n), 0x41, 7]),
            fnModule([...rep([0x02, 0x7f], n), 0x20, 0, ...rep([0x0b], n)]),
            fnModule([0x20, 0, ...rep([0x20, 0], n), ...rep([0x6a], n)]),
            fnModule([0x20, 0, ...rep([0x20, 0, 0x6a], n)]),
          ];
          for (const bytes of cases) new Differential(bytes, factory).same('f', 2);
        }
      });
      it('runs a non-recursive function with about 62 000 live operand values, like V8', () => {
        const n = 62_000;
        const d = new Differential(fnModule([...rep([0x20, 0], n), ...rep([0x6a], n - 1)]), factory);
        d.returns('f', [3], 3 * n);
      });
    });

    describe('tail calls (3.0: return_call, return_call_indirect)', () => {
      const MUTUAL = `(module
        (type $t (func (param i64 i32) (result i32)))
        (import "env" "host" (func $host (param i64 i32) (result i32)))
        (table 2 funcref) (elem (i32.const 0) $even $odd)
        (func $even (export "even") (param i64 i32) (result i32)
          (if (result i32) (i64.eqz (local.get 0)) (then (i32.add (local.get 1) (i32.const 1)))
            (else (return_call $odd (i64.sub (local.get 0) (i64.const 1)) (i32.add (local.get 1) (i32.const 1))))))
        (func $odd (export "odd") (param i64 i32) (result i32)
          (if (result i32) (i64.eqz (local.get 0)) (then (local.get 1))
            (else (return_call_indirect (type $t) (i64.sub (local.get 0) (i64.const 1)) (local.get 1) (i32.const 0)))))
        (func (export "to_host") (param i64) (result i32) (return_call $host (local.get 0) (i32.const 5)))
        (func (export "nested") (param i64) (result i32) (i32.add (call $even (local.get 0) (i32.const 0)) (i32.const 1000))))`;
      const host = (x: bigint, y: number) => Number(x) * 10 + y;
      it('makes 10^6 mutually recursive tail calls under a 10 000-frame call-depth cap, with V8\'s results', async () => {
        const bytes = await wat(MUTUAL);
        const inst = factory(bytes, { env: { host } }, { maxCallDepth: 10_000 });
        const v8 = new V8.Instance(new V8.Module(bytes), { env: { host } });
        for (const [name, args] of [['even', [1_000_000n, 0]], ['even', [1_000_001n, 0]], ['odd', [999_999n, 7]], ['nested', [1_000_000n]], ['to_host', [4n]]] as const) {
          const ours = (inst.exports[name] as (...a: unknown[]) => unknown)(...args);
          expect(ours).toBe((v8.exports[name] as (...a: unknown[]) => unknown)(...args));
        }
        expect((inst.exports.even as (n: bigint, a: number) => number)(1_000_000n, 0)).toBe(500_001);
        // Ordinary calls still count against the cap.
        const rec = factory(await wat('(module (func $f (export "f") (param i32) (result i32) (if (result i32) (local.get 0) (then (i32.add (i32.const 1) (call $f (i32.sub (local.get 0) (i32.const 1))))) (else (i32.const 0)))))'), {}, { maxCallDepth: 100 });
        expect(() => (rec.exports.f as (n: number) => number)(200)).toThrow(Trap);
      });
      it('stops and resumes tail-calling code at the same fuel points, and rejects tail calls of the wrong result type', async () => {
        const bytes = await wat(MUTUAL);
        const stops = () => {
          const inst = factory(bytes, { env: { host } }, { fuel: 1000, maxCallDepth: 100 });
          let r = inst.call('even', 100_001n, 0);
          let n = 0;
          while (r.status === 'fuel-exhausted') {
            n++;
            inst.addFuel(1000);
            r = inst.continue();
          }
          return [n, r, inst.fuel];
        };
        const first = stops();
        expect(first[1]).toEqual({ status: 'returned', value: 50_001 });
        expect(first[0]).toBeGreaterThan(100);
        expect(stops()).toEqual(first);
        const bad = await wat('(module (func $g (result i64) (i64.const 1)) (func (result i32) (return_call $g)))', { validate: false });
        expect(V8.validate(bad)).toBe(false);
        expect(() => factory(bad)).toThrow(/tail call/);
      });
    });

    describe('growth and bulk operations charge fuel for their work', () => {
      it('grows memory one page at a time 4000 times quickly, charging each page', async () => {
        const bytes = await wat(`(module (memory 1)
          (func (export "grow") (param i32) (result i32) (local i32)
            (loop $l (local.set 1 (memory.grow (i32.const 1))) (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))) (local.get 1))
          (func (export "size") (result i32) (memory.size))
          (func (export "fill") (param i32) (memory.fill (i32.const 0) (i32.const 7) (local.get 0))))`);
        const inst = factory(bytes, {}, { fuel: 1e12 });
        const before = inst.fuel;
        expect((inst.exports.grow as (n: number) => number)(4000)).toBe(4000);
        expect((inst.exports.size as () => number)()).toBe(4001);
        const used = before - inst.fuel;
        // 1024 fuel per page grown (one per 64 bytes zeroed) plus the loop's own instructions.
        expect(used).toBeGreaterThanOrEqual(4000 * 1024);
        expect(used).toBeLessThan(4000 * 1024 + 4000 * 20);
        const v8 = new V8.Instance(new V8.Module(bytes));
        (v8.exports.grow as (n: number) => number)(4000);
        expect((v8.exports.size as () => number)()).toBe(4001);
        // memory.fill of 1 MiB costs 16384 fuel beyond its instruction.
        const f0 = inst.fuel;
        (inst.exports.fill as (n: number) => void)(1 << 20);
        expect(f0 - inst.fuel).toBeGreaterThanOrEqual((1 << 20) / 64);
      });
    });

    describe('metering and limits', () => {
      const LOOP = `(module (func (export "count") (param i32) (result i32) (local i32)
        (loop $l (local.set 1 (i32.add (local.get 1) (i32.const 3))) (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))) (local.get 1))
        (func $rec (export "rec") (param i32) (result i32) (if (result i32) (local.get 0) (then (i32.add (i32.const 1) (call $rec (i32.sub (local.get 0) (i32.const 1))))) (else (i32.const 0)))))`;
      it('stops a runaway guest when fuel runs out and resumes it exactly', async () => {
        const inst = factory(await wat(LOOP), {}, { fuel: 1000 });
        expect(() => (inst.exports.count as (n: number) => number)(10_000)).toThrow(FuelExhausted);
        expect(inst.suspended).toBe(true);
        let stops = 1;
        for (;;) {
          inst.addFuel(1000);
          const r = inst.continue();
          if (r.status === 'returned') {
            expect(r.value).toBe(30_000);
            break;
          }
          stops++;
        }
        expect(stops).toBeGreaterThan(50);
        expect(inst.suspended).toBe(false);
        // Fuel also bounds recursion: calls charge at entry.
        const again = factory(await wat(LOOP), {}, { fuel: 50 });
        expect(again.call('rec', 1000)).toEqual({ status: 'fuel-exhausted' });
        again.fuel = Infinity;
        expect(again.continue()).toEqual({ status: 'returned', value: 1000 });
      });
      it('keeps NaN payloads of locals and operands across a stop for lack of fuel', async () => {
        const bytes = await wat(`(module (func (export "f") (param i64 i32 i32) (result i64) (local f64 f32)
          (local.set 3 (f64.reinterpret_i64 (local.get 0)))
          (local.set 4 (f32.reinterpret_i32 (local.get 1)))
          (f64.reinterpret_i64 (local.get 0))
          (loop $l (br_if $l (local.tee 2 (i32.sub (local.get 2) (i32.const 1)))))
          (i64.reinterpret_f64)
          (i64.xor (i64.reinterpret_f64 (local.get 3)))
          (i64.xor (i64.extend_i32_u (i32.xor (i32.reinterpret_f32 (local.get 4)) (local.get 1))))
          (i64.xor (local.get 0))))`);
        // V8 marks holes in arrays of doubles with this NaN and canonicalizes it elsewhere: the hardest payload to keep.
        const SNAN64 = 0xfff7fffffff7ffffn - (1n << 64n);
        const SNAN32 = 0x7fa00001;
        const v8 = new V8.Instance(new V8.Module(bytes));
        // x ^ x ^ 0 ^ x: the payload itself when every copy kept its bits.
        expect((v8.exports.f as (a: bigint, b: number, n: number) => bigint)(SNAN64, SNAN32, 1000)).toBe(SNAN64);
        const inst = factory(bytes, {}, { fuel: 100 });
        let r = inst.call('f', SNAN64, SNAN32, 1000);
        let stops = 0;
        while (r.status === 'fuel-exhausted') {
          stops++;
          inst.addFuel(100);
          r = inst.continue();
        }
        expect(stops).toBeGreaterThan(10);
        expect(r).toEqual({ status: 'returned', value: SNAN64 });
      });
      it('meters deterministically', async () => {
        const bytes = await wat(LOOP);
        const stopsFor = () => {
          const inst = factory(bytes, {}, { fuel: 777 });
          let n = 0;
          let r = inst.call('count', 5000);
          while (r.status === 'fuel-exhausted') {
            n++;
            inst.addFuel(777);
            r = inst.continue();
          }
          return [n, inst.fuel];
        };
        expect(stopsFor()).toEqual(stopsFor());
      });
      it('caps call depth and memory pages', async () => {
        const inst = factory(await wat(LOOP), {}, { maxCallDepth: 100 });
        expect(inst.exports.rec && (inst.exports.rec as (n: number) => number)(90)).toBe(90);
        expect(() => (inst.exports.rec as (n: number) => number)(200)).toThrow(Trap);
        try {
          (inst.exports.rec as (n: number) => number)(200);
        } catch (e) {
          expect((e as Trap).kind).toBe('call stack exhausted');
        }
        expect((inst.exports.rec as (n: number) => number)(50)).toBe(50);
        const mem = factory(await wat('(module (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))'), {}, { maxMemoryPages: 4 });
        expect((mem.exports.grow as (n: number) => number)(3)).toBe(1);
        expect((mem.exports.grow as (n: number) => number)(1)).toBe(-1);
        await expect(async () => factory(await wat('(module (memory 8))'), {}, { maxMemoryPages: 4 })).rejects.toThrow(LinkError);
      });
      it('turns unbounded recursion into a call-stack trap, like V8', async () => {
        const d = new Differential(await wat('(module (func $f (export "f") (call $f)))'), factory);
        d.traps('f', [], 'call stack exhausted');
      });
    });
  });
}

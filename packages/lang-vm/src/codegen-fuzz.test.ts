import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Instance, Module } from './instance.js';
import { V8 } from './test-support/v8.js';
import { wat } from './test-support/wat.js';

// Random straight-line and branchy i32/i64 code over a few locals, with local.tee inside
// expressions (the hazard for the JS tier's expression forwarding), memory traffic and loops.
// Each program runs on both tiers and on V8; the results must be equal.

const I32_BIN = ['i32.add', 'i32.sub', 'i32.mul', 'i32.and', 'i32.or', 'i32.xor', 'i32.shl', 'i32.shr_s', 'i32.shr_u', 'i32.rotl', 'i32.rotr',
  'i32.eq', 'i32.ne', 'i32.lt_s', 'i32.lt_u', 'i32.gt_s', 'i32.ge_u', 'i32.le_s'];
const I32_UN = ['i32.eqz', 'i32.clz', 'i32.ctz', 'i32.popcnt', 'i32.extend8_s', 'i32.extend16_s'];

const expr: fc.Memo<string> = fc.memo((n) =>
  n <= 1
    ? fc.oneof(
        fc.integer().map((v) => `(i32.const ${v})`),
        fc.integer({ min: 0, max: 3 }).map((l) => `(local.get ${l})`),
        fc.integer({ min: 0, max: 1023 }).map((a) => `(i32.load (i32.const ${a * 4}))`),
        fc.integer({ min: 0, max: 1 }).map((l) => `(i32.wrap_i64 (local.get ${4 + l}))`),
      )
    : fc.oneof(
        fc.tuple(fc.constantFrom(...I32_BIN), expr(n - 1), expr(n - 1)).map(([op, a, b]) => `(${op} ${a} ${b})`),
        fc.tuple(fc.constantFrom(...I32_UN), expr(n - 1)).map(([op, a]) => `(${op} ${a})`),
        fc.tuple(fc.integer({ min: 0, max: 3 }), expr(n - 1)).map(([l, a]) => `(local.tee ${l} ${a})`),
        fc.tuple(expr(n - 1), expr(n - 1), expr(n - 1)).map(([a, b, c]) => `(select ${a} ${b} ${c})`),
        fc.tuple(expr(n - 1), expr(n - 1)).map(([a, b]) => `(i32.div_u ${a} (i32.or ${b} (i32.const 1)))`),
        fc.tuple(expr(n - 1), expr(n - 1)).map(([a, b]) => `(if (result i32) ${a} (then ${b}) (else (local.get 1)))`),
      ),
);

const stmt: fc.Memo<string> = fc.memo((n) =>
  fc.oneof(
    fc.tuple(fc.integer({ min: 0, max: 3 }), expr(3)).map(([l, e]) => `(local.set ${l} ${e})`),
    fc.tuple(fc.integer({ min: 0, max: 1 }), expr(2), expr(2)).map(
      ([l, a, b]) => `(local.set ${4 + l} (i64.add (i64.mul (local.get ${4 + l}) (i64.extend_i32_s ${a})) (i64.extend_i32_u ${b})))`,
    ),
    fc.tuple(fc.integer({ min: 0, max: 1023 }), expr(3)).map(([a, e]) => `(i32.store (i32.const ${a * 4}) ${e})`),
    ...(n > 1
      ? [
          fc.tuple(expr(2), fc.array(stmt(n - 1), { maxLength: 3 }), fc.array(stmt(n - 1), { maxLength: 3 })).map(
            ([c, t, e]) => `(if ${c} (then ${t.join(' ')}) (else ${e.join(' ')}))`,
          ),
          fc.tuple(fc.integer({ min: 1, max: 5 }), fc.array(stmt(n - 1), { maxLength: 3 }), expr(2)).map(
            // One counter per nesting level (locals 8, 9), so inner loops never reset an outer one.
            ([k, body, brk]) => `(local.set ${6 + n} (i32.const ${k})) (block $b (loop $l ${body.join(' ')} (br_if $b ${brk})
              (br_if $l (local.tee ${6 + n} (i32.sub (local.get ${6 + n}) (i32.const 1))))))`,
          ),
        ]
      : []),
  ),
);

const program = fc.tuple(fc.array(stmt(3), { minLength: 1, maxLength: 8 }), fc.array(fc.integer(), { minLength: 4, maxLength: 4 }));

function source(body: readonly string[]): string {
  return `(module (memory 1)
    (func (export "f") (param i32 i32 i32 i32) (result i64) (local i64 i64 i32 i32 i32 i32)
      (local.set 4 (i64.extend_i32_s (local.get 0))) (local.set 5 (i64.const 0x123456789))
      ${body.join('\n      ')}
      (i64.xor (i64.xor (local.get 4) (i64.shl (local.get 5) (i64.const 7)))
        (i64.extend_i32_u (i32.xor (i32.xor (local.get 0) (local.get 1)) (i32.xor (local.get 2) (i32.rotl (local.get 3) (i32.const 11))))))))`;
}

describe('code generation fuzzing: random programs agree on both tiers and V8', () => {
  it('expressions with local.tee, loads, branches and loops', async () => {
    const cases = fc.sample(program, { numRuns: 120, seed: 2026 });
    for (const [body, args] of cases) {
      const bytes = await wat(source(body));
      const call = (exports: Record<string, unknown>) => {
        try {
          return (exports.f as (...a: number[]) => bigint)(...args);
        } catch (e) {
          return `trap: ${(e as Error).message.split('\n')[0]}`;
        }
      };
      const v8 = call(new V8.Instance(new V8.Module(bytes)).exports);
      const js = call(new Instance(new Module(bytes), {}, { tier: 'js', fuel: 10_000_000 }).exports);
      const interp = call(new Instance(new Module(bytes), {}, { tier: 'interpreter', fuel: 10_000_000 }).exports);
      if (typeof v8 === 'bigint') {
        expect(js, source(body)).toBe(v8);
        expect(interp, source(body)).toBe(v8);
      } else {
        expect(typeof js).toBe('string');
        expect(typeof interp).toBe('string');
      }
    }
  });
});

// Every plain form's semantics is written once, in cpu-core's table; the interpreter's fast loop,
// the JavaScript translator and the wasm back end all render it. Each rendering is checked here
// against an oracle written independently from the ISA manual's definitions (unpriv 2.4, 13.1-13.2,
// in BigInt arithmetic), on corner values and pseudo-random operands — first the renderers alone,
// then whole programs under every engine configuration. And the translation hook decides what a
// form becomes.
import { FORM_BY_MNEMONIC, SEMANTICS, assemble, evaluate, fold, jsCondition, jsValue, mulhu } from '@virtlab/cpu-core';
import type { Expr } from '@virtlab/cpu-core';
import { describe, expect, it } from 'vitest';
import { createEmulator } from './emulator.js';
import type { EngineKind, EngineOptions } from './engine.js';
import { CALLOUT } from './translator.js';
import type { Emission } from './translator.js';
import { emitExpr } from './wasm-region.js';
import { WasmCode, wasmApi, wasmModule } from './wasm-encoder.js';
import { EXIT, RAM } from './test-support/lab-state.js';

const s32 = (x: bigint) => Number(BigInt.asIntN(32, x));
const u = (x: number) => BigInt(x >>> 0);
const s = (x: number) => BigInt(x | 0);
const INT_MIN = -0x80000000;

/** The ISA manual's definitions, for register operands a, b (the immediate in b for I-type forms). */
const ORACLE: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => s32(s(a) + s(b)), addi: (a, b) => s32(s(a) + s(b)),
  sub: (a, b) => s32(s(a) - s(b)),
  sll: (a, b) => s32(s(a) << BigInt(b & 31)), slli: (a, b) => s32(s(a) << BigInt(b & 31)),
  srl: (a, b) => s32(u(a) >> BigInt(b & 31)), srli: (a, b) => s32(u(a) >> BigInt(b & 31)),
  sra: (a, b) => s32(s(a) >> BigInt(b & 31)), srai: (a, b) => s32(s(a) >> BigInt(b & 31)),
  slt: (a, b) => (s(a) < s(b) ? 1 : 0), slti: (a, b) => (s(a) < s(b) ? 1 : 0),
  sltu: (a, b) => (u(a) < u(b) ? 1 : 0), sltiu: (a, b) => (u(a) < u(b) ? 1 : 0),
  xor: (a, b) => s32(s(a) ^ s(b)), xori: (a, b) => s32(s(a) ^ s(b)),
  or: (a, b) => s32(s(a) | s(b)), ori: (a, b) => s32(s(a) | s(b)),
  and: (a, b) => s32(s(a) & s(b)), andi: (a, b) => s32(s(a) & s(b)),
  mul: (a, b) => s32(s(a) * s(b)),
  mulh: (a, b) => s32((s(a) * s(b)) >> 32n),
  mulhsu: (a, b) => s32((s(a) * u(b)) >> 32n),
  mulhu: (a, b) => s32((u(a) * u(b)) >> 32n),
  // Table 13.1: division by zero and signed overflow.
  div: (a, b) => (b === 0 ? -1 : a === INT_MIN && b === -1 ? INT_MIN : s32(s(a) / s(b))),
  divu: (a, b) => (b === 0 ? -1 : s32(u(a) / u(b))),
  rem: (a, b) => (b === 0 ? a : a === INT_MIN && b === -1 ? 0 : s32(s(a) % s(b))),
  remu: (a, b) => (b === 0 ? a : s32(u(a) % u(b))),
};
const BRANCH_ORACLE: Record<string, (a: number, b: number) => boolean> = {
  beq: (a, b) => a === b, bne: (a, b) => a !== b, blt: (a, b) => s(a) < s(b), bge: (a, b) => s(a) >= s(b), bltu: (a, b) => u(a) < u(b), bgeu: (a, b) => u(a) >= u(b),
};
const I_FORMS = new Set(['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'slli', 'srli', 'srai']);
const SHIFT_FORMS = new Set(['slli', 'srli', 'srai']);

/** A small deterministic generator (xorshift32). */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x | 0;
  };
}
const CORNERS = [0, 1, -1, 2, -2, 31, 32, 33, INT_MIN, 0x7fffffff, INT_MIN + 1, 0x10000, -0x10000, 0xffff, 3, 7];
function operandPairs(seed: number, count: number): [number, number][] {
  const next = rng(seed);
  const pairs: [number, number][] = [];
  for (const a of CORNERS) for (const b of CORNERS) pairs.push([a, b]);
  for (let i = 0; i < count; i++) pairs.push([next(), next() >> (next() & 31)]);
  return pairs;
}
const immediates = (mnemonic: string, seed: number): number[] => {
  if (SHIFT_FORMS.has(mnemonic)) return [0, 1, 5, 16, 31];
  const next = rng(seed);
  return [0, 1, -1, 2047, -2048, 5, -7, ...Array.from({ length: 8 }, () => next() >> 20)];
};

const writeForms = Object.keys(ORACLE);

describe('each plain form, rendered by every back end, against the ISA manual', () => {
  const names = { rs1: 'rs1', rs2: 'rs2', imm: 'imm', pc: 'pc' };
  const jsOf = (e: Expr, cond = false) =>
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- compiling the JavaScript rendering under test
    (new Function('MULHU', `return (rs1, rs2, imm, pc) => ${cond ? `(${jsCondition(e, names)}) ? 1 : 0` : jsValue(e, names)};`) as (m: typeof mulhu) => (a: number, b: number, i: number, p: number) => number)(mulhu);
  const memory = wasmApi === undefined ? undefined : new (wasmApi.Memory)({ initial: 1 });
  /** The wasm rendering of `e` with imm and pc folded in, as a function of rs1 and rs2. */
  const wasmOf = (e: Expr, imm: number, pc: number): ((a: number, b: number) => number) => {
    const w = new WasmCode();
    emitExpr(w, fold(e, { imm, pc }), (o) => w.get(o === 'rs1' ? 0 : 1));
    const module = new wasmApi!.Module(wasmModule(2, 0, w));
    return new wasmApi!.Instance(module, { e: { m: memory } }).exports.f as (a: number, b: number) => number;
  };

  it.each(writeForms)('%s', (mnemonic) => {
    const form = FORM_BY_MNEMONIC.get(mnemonic)!;
    const sem = SEMANTICS[form.op]!;
    expect(sem.kind).toBe('write');
    if (sem.kind !== 'write') return;
    const js = jsOf(sem.value);
    const cases = I_FORMS.has(mnemonic)
      ? immediates(mnemonic, form.op).flatMap((imm) => operandPairs(form.op * 7 + imm, 16).map(([a]) => [a, imm] as [number, number]))
      : operandPairs(form.op, 400);
    const byImm = new Map<number, (a: number, b: number) => number>();
    for (const [a, b] of cases) {
      const want = ORACLE[mnemonic]!(a, b);
      const imm = I_FORMS.has(mnemonic) ? b : 0;
      const rs2 = I_FORMS.has(mnemonic) ? 0 : b;
      expect(evaluate(sem.value, { rs1: a, rs2, imm, pc: 0 }), `${mnemonic} ${a} ${b}: table`).toBe(want);
      expect(js(a, rs2, imm, 0), `${mnemonic} ${a} ${b}: JavaScript`).toBe(want);
      if (wasmApi !== undefined) {
        let f = byImm.get(imm);
        if (f === undefined) byImm.set(imm, (f = wasmOf(sem.value, imm, 0)));
        expect(f(a, rs2), `${mnemonic} ${a} ${b}: wasm`).toBe(want);
      }
    }
  });

  it.each(Object.keys(BRANCH_ORACLE))('%s', (mnemonic) => {
    const sem = SEMANTICS[FORM_BY_MNEMONIC.get(mnemonic)!.op]!;
    if (sem.kind !== 'branch') throw new Error(`${mnemonic} is not a branch`);
    const js = jsOf(sem.cond, true);
    const wasm = wasmApi === undefined ? undefined : wasmOf(sem.cond, 0, 0);
    for (const [a, b] of operandPairs(mnemonic.length, 200)) {
      const want = BRANCH_ORACLE[mnemonic]!(a, b) ? 1 : 0;
      expect(js(a, b, 0, 0), `${mnemonic} ${a} ${b}`).toBe(want);
      if (wasm !== undefined) expect(wasm(a, b), `${mnemonic} ${a} ${b}: wasm`).toBe(want);
    }
  });

  it('lui, auipc, jal and jalr: immediates, pc-relative values and targets', () => {
    const v = (m: string, ops: { rs1?: number; imm: number; pc: number }) => {
      const sem = SEMANTICS[FORM_BY_MNEMONIC.get(m)!.op]!;
      const e = sem.kind === 'write' ? sem.value : sem.kind === 'jump' ? sem.target : undefined;
      return evaluate(e!, { rs1: ops.rs1 ?? 0, rs2: 0, imm: ops.imm, pc: ops.pc });
    };
    expect(v('lui', { imm: 0x12345000, pc: 0 })).toBe(0x12345000);
    expect(v('auipc', { imm: -0x1000, pc: 0x80000000 | 0 })).toBe(0x7ffff000);
    expect(v('jal', { imm: -4, pc: 0x80000010 | 0 })).toBe(0x8000000c | 0);
    // jalr clears bit 0 of rs1 + imm (unpriv 2.5) and wraps.
    expect(v('jalr', { rs1: 0x80000003 | 0, imm: 2, pc: 0 })).toBe(0x80000004 | 0);
    expect(v('jalr', { rs1: -1, imm: 2, pc: 0 })).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Whole programs: the interpreter (the generated fast loop), JavaScript blocks, JavaScript and
// wasm regions, each against the oracle.

const ENGINES: readonly [string, EngineKind, EngineOptions | undefined][] = [
  ['interp', 'interp', undefined],
  ['dbt', 'dbt', { interpretFirst: 0 }],
  ['dbt-regions', 'dbt', { interpretFirst: 0, regionThreshold: 2 }],
  ['dbt-js-regions', 'dbt', { interpretFirst: 0, regionThreshold: 2, wasm: false }],
];
const R_FORMS = writeForms.filter((m) => !I_FORMS.has(m));

/** Straight-line tests of every register-register form, run three times (the third time inside regions where they are on), each pass's results stored apart. */
function programOf(pairs: readonly [number, number][]): { source: string; expected: number[] } {
  // Pass k (s1) stores its results from 0x8010_0000 + 0x10000·k.
  const lines: string[] = ['  li s1, 0', 'pass:', '  li s0, 0x80100000', '  slli t0, s1, 16', '  add s0, s0, t0'];
  const expected: number[] = [];
  let off = 0;
  for (const m of R_FORMS) {
    for (const [a, b] of pairs) {
      lines.push(`  li a0, ${a}`, `  li a1, ${b}`, `  ${m} a2, a0, a1`, `  sw a2, ${off}(s0)`);
      expected.push(ORACLE[m]!(a, b));
      off += 4;
      if (off === 2048) {
        lines.push('  li t0, 2048', '  add s0, s0, t0');
        off = 0;
      }
    }
  }
  lines.push('  addi s1, s1, 1', '  li t0, 3', '  bge s1, t0, done', '  j pass', 'done:', EXIT);
  return { source: lines.join('\n'), expected };
}

describe('programs of every register-register form under every engine, against the ISA manual', () => {
  const pairs = operandPairs(99, 24).filter((_, i) => i % 5 === 0);
  const { source, expected } = programOf(pairs);
  it.each(ENGINES)('%s', (_name, engine, engineOptions) => {
    const emu = createEmulator({ engine, boardOptions: { ramSize: 4 * 1024 * 1024 }, engineOptions });
    const { words } = assemble(source, RAM);
    emu.board.bus.writeRam(RAM, new Uint8Array(words.buffer, words.byteOffset, words.byteLength));
    emu.engine.pc = RAM;
    emu.engine.priv = 3;
    const r = emu.run({ maxInstructions: 50_000_000, sliceSteps: 10_000 });
    expect(r.exit.kind).toBe('poweroff');
    for (let pass = 0; pass < 3; pass++) {
      const at = 0x80100000 + 0x10000 * pass;
      const bytes = emu.board.bus.readRam(at, expected.length * 4);
      const got = Array.from(new Int32Array(bytes.buffer, bytes.byteOffset, expected.length));
      const wrong = got.findIndex((v, i) => v !== expected[i]);
      expect(wrong, wrong < 0 ? '' : `pass ${pass}: ${R_FORMS[Math.floor(wrong / pairs.length)]} ${pairs[wrong % pairs.length]!.join(', ')} gave ${got[wrong]}, want ${expected[wrong]}`).toBe(-1);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The translation hook: in mode 1 the monitor decides what each instruction is emitted as.

describe('TranslationHooks.emit', () => {
  const run = (engineOptions: EngineOptions, emit: (word: number, mnemonic: string | undefined, sem: Emission) => Emission) => {
    const callouts: { word: number; pc: number }[] = [];
    const emu = createEmulator({
      engine: 'dbt', boardOptions: { ramSize: 4 * 1024 * 1024 },
      engineOptions: {
        ...engineOptions,
        translation: {
          mode: () => 1,
          emit: (word, form, sem) => emit(word, form?.mnemonic, sem),
          callout: (word, pc) => {
            callouts.push({ word, pc });
            emu.engine.regs[12] = 0x55; // a2: what the monitor's emulation of the instruction did
            emu.engine.pc = (pc + 4) | 0;
          },
          translated: () => {},
        },
      },
    });
    const { words, labels } = assemble(`
      li a0, 6
      li a1, 3
      li a3, 0
      li a4, 40
    loop:
      add a2, a0, a1
      sub a3, a3, a2
      addi a4, a4, -1
      bne a4, zero, loop
      xor a5, a0, a1
    ${EXIT}`, RAM);
    emu.board.bus.writeRam(RAM, new Uint8Array(words.buffer, words.byteOffset, words.byteLength));
    emu.engine.pc = RAM;
    emu.engine.priv = 3;
    emu.run({ maxInstructions: 100_000, sliceSteps: 10_000 });
    return { regs: Array.from(emu.engine.regs.subarray(0, 16)), callouts, labels };
  };
  const xorOf: Expr = { k: 'bin', op: 'xor', a: { k: 'operand', o: 'rs1' }, b: { k: 'operand', o: 'rs2' } };
  const configs: [string, EngineOptions][] = [['blocks', { regionThreshold: 0 }], ['js-regions', { regionThreshold: 2, wasm: false }], ['wasm-regions', { regionThreshold: 2 }]];

  it.each(configs)('the form\'s own semantics by default; other semantics where the hook gives them (%s)', (_n, options) => {
    const plain = run(options, (_w, _m, sem) => sem);
    expect(plain.regs[13]).toBe(-40 * 9); // a3: minus forty times 6 + 3
    expect(plain.regs[15]).toBe(6 ^ 3);
    // `add` emitted as xor: a2 = 6 ^ 3 = 5 each turn.
    const swapped = run(options, (_w, m, sem) => (m === 'add' ? { kind: 'write', value: xorOf } : sem));
    expect(swapped.regs[12]).toBe(5);
    expect(swapped.regs[13]).toBe(-40 * 5);
    expect(swapped.regs[15]).toBe(6 ^ 3);
  });

  it.each(configs)('a callout runs instead of the instruction and ends its block (%s)', (_n, options) => {
    const r = run(options, (_w, m, sem) => (m === 'xor' ? CALLOUT : sem));
    expect(r.callouts).toHaveLength(1);
    expect(r.callouts[0]!.word).toBe(assemble('xor a5, a0, a1', 0).words[0]);
    expect(r.regs[15]).toBe(0); // xor did not run
    expect(r.regs[12]).toBe(0x55); // the monitor's work
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encode } from './assemble.js';
import { INSTRUCTION_FORMS, decodeForm } from './decoder-table.js';
import type { InstructionForm } from './decoder-table.js';
import { disassemble } from './disassemble.js';
import { has } from './test/harness.js';

// One sample per form, written the way the disassembler prints it (branch targets relative to pc 0).
const SAMPLES: Record<string, string> = {
  R: 'a0, a1, a2',
  I: 'a0, a1, -7',
  SHIFT: 'a0, a1, 31',
  LOAD: 'a0, -4(sp)',
  STORE: 'a2, 2040(a1)',
  BRANCH: 'a0, s11, 0x7fc',
  U: 'a0, 0xfffff',
  JAL: 'ra, 0x7fffe',
  JALR: 'ra, 12(t0)',
  CSR: 'a0, mstatus, a1',
  CSRI: 'a0, sstatus, 31',
  AMO: 'a0, a2, (a1)',
  LR: 'a0, (a1)',
  FENCE: 'iorw, rw',
  SFENCE: 'a0, a1',
  NONE: '',
};

const sample = (mnemonic: string, format: string) => `${mnemonic} ${SAMPLES[format]}`.trim();

describe('decoder table', () => {
  it('has one row per handler id and unambiguous match/mask pairs', () => {
    const ops = new Set(INSTRUCTION_FORMS.map((f) => f.op));
    expect(ops.size).toBe(INSTRUCTION_FORMS.length);
    for (const f of INSTRUCTION_FORMS) {
      expect(f.match & ~f.mask).toBe(0);
      expect(decodeForm(f.match)).toBe(f);
    }
  });

  it('disassembles what it assembles, for every form', () => {
    for (const f of INSTRUCTION_FORMS) {
      const text = sample(f.mnemonic, f.format);
      const w = encode(text, 0);
      expect(decodeForm(w)?.mnemonic).toBe(f.mnemonic);
      expect(disassemble(w, 0)).toBe(text);
    }
  });

  it('rejects words outside RV32IMA (compressed, F, reserved funct fields)', () => {
    for (const w of [0x00000000, 0xffffffff, 0x0000_4501 /* c.li */, 0x00052007 /* flw */, 0x02008033 | (1 << 30)]) {
      expect(decodeForm(w)).toBeUndefined();
      expect(disassemble(w)).toMatch(/^\.word/);
    }
  });

  it.skipIf(!has('clang'))('encodes every form exactly as clang does (needs clang)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpu-core-table-'));
    // clang reads a plain number in a branch or jump as the pc-relative offset.
    const rel = (f: InstructionForm) => f.format === 'BRANCH' || f.format === 'JAL';
    const lines = INSTRUCTION_FORMS.map((f) => {
      const text = sample(f.mnemonic, f.format);
      return rel(f) ? text.replace(/0x[0-9a-f]+$/, (h) => `${Number(h)}`) : text;
    });
    writeFileSync(join(dir, 't.S'), `.option norvc\n.text\n${lines.join('\n')}\n`);
    execFileSync('clang', ['--target=riscv32-unknown-elf', '-march=rv32ima', '-c', join(dir, 't.S'), '-o', join(dir, 't.o')]);
    execFileSync('llvm-objcopy', ['-O', 'binary', '--only-section=.text', join(dir, 't.o'), join(dir, 't.bin')]);
    const bin = readFileSync(join(dir, 't.bin'));
    INSTRUCTION_FORMS.forEach((f, k) => {
      const theirs = bin.readInt32LE(k * 4);
      const pc = k * 4;
      const text = sample(f.mnemonic, f.format);
      const ours = encode(rel(f) ? text.replace(/0x[0-9a-f]+$/, (h) => `${pc + Number(h)}`) : text, pc);
      expect({ form: f.mnemonic, word: ours >>> 0 }).toEqual({ form: f.mnemonic, word: theirs >>> 0 });
    });
  });
});

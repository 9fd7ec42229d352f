/**
 * The disassembler, driven by the decoder table: used in traces, errors and tests. It prints the
 * canonical form of each instruction (no pseudo-instructions), with ABI register names and
 * absolute branch and jump targets, e.g. `addi a0, a0, 1`, `beq a0, zero, 0x80000010`.
 */
import { csrName } from './csr.js';
import { decodeForm, field, operandImmediate } from './decoder-table.js';

export const ABI_NAMES: readonly string[] = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];

const hex = (v: number) => `0x${(v >>> 0).toString(16)}`;

function fenceSet(bits: number): string {
  let s = '';
  if (bits & 8) s += 'i';
  if (bits & 4) s += 'o';
  if (bits & 2) s += 'r';
  if (bits & 1) s += 'w';
  return s === '' ? '0' : s;
}

/** `word` as assembly text; `pc` resolves pc-relative targets. Unknown words print as `.word`. */
export function disassemble(word: number, pc = 0): string {
  const form = decodeForm(word | 0);
  if (form === undefined) return `.word ${hex(word)}`;
  const rd = ABI_NAMES[field.rd(word)]!;
  const rs1 = ABI_NAMES[field.rs1(word)]!;
  const rs2 = ABI_NAMES[field.rs2(word)]!;
  const immv = operandImmediate(form, word);
  const m = form.mnemonic;
  switch (form.format) {
    case 'R':
      return `${m} ${rd}, ${rs1}, ${rs2}`;
    case 'I':
    case 'SHIFT':
      return `${m} ${rd}, ${rs1}, ${immv}`;
    case 'LOAD':
    case 'JALR':
      return `${m} ${rd}, ${immv}(${rs1})`;
    case 'STORE':
      return `${m} ${rs2}, ${immv}(${rs1})`;
    case 'BRANCH':
      return `${m} ${rs1}, ${rs2}, ${hex(pc + immv)}`;
    case 'U':
      return `${m} ${rd}, ${hex(immv >>> 12)}`;
    case 'JAL':
      return `${m} ${rd}, ${hex(pc + immv)}`;
    case 'CSR':
      return `${m} ${rd}, ${csrName(immv)}, ${rs1}`;
    case 'CSRI':
      return `${m} ${rd}, ${csrName(immv)}, ${field.rs1(word)}`;
    case 'AMO':
      return `${m} ${rd}, ${rs2}, (${rs1})`;
    case 'LR':
      return `${m} ${rd}, (${rs1})`;
    case 'FENCE':
      return `${m} ${fenceSet((immv >>> 4) & 15)}, ${fenceSet(immv & 15)}`;
    case 'SFENCE':
      return `${m} ${rs1}, ${rs2}`;
    case 'NONE':
      return m;
  }
}

/**
 * A small assembler over the decoder table, for tests, probes and examples: it reads what the
 * disassembler prints (one instruction per line, ABI or xN register names, CSR names, absolute
 * targets or labels), plus labels, `.word` and the pseudo-instructions `li` (always lui+addi;
 * labels allowed), `mv`, `j`, `nop`, `csrr`, `csrw`, `csrs`, `csrc`, `csrwi`, `csrsi`, `csrci`.
 */
import { csrNumber } from './csr.js';
import { FORM_BY_MNEMONIC, type InstructionForm } from './decoder-table.js';
import { ABI_NAMES } from './disassemble.js';

export class AssemblerError extends Error {
  override name = 'AssemblerError';
}

function reg(text: string, line: string): number {
  const t = text.trim();
  const abi = ABI_NAMES.indexOf(t);
  if (abi >= 0) return abi;
  if (t === 'fp') return 8;
  const m = /^x(\d+)$/.exec(t);
  if (m !== null && Number(m[1]) < 32) return Number(m[1]);
  throw new AssemblerError(`unknown register '${t}' in '${line}'`);
}

function num(text: string, line: string, labels?: ReadonlyMap<string, number>): number {
  const t = text.trim();
  if (labels?.has(t) === true) return labels.get(t)!;
  const v = Number(t);
  if (t === '' || !Number.isFinite(v)) throw new AssemblerError(`bad number or unknown label '${t}' in '${line}'`);
  return v;
}

function csr(text: string, line: string): number {
  const n = csrNumber(text.trim());
  return n ?? num(text, line);
}

function fenceBits(s: string): number {
  let v = 0;
  for (const c of s.trim()) v |= c === 'i' ? 8 : c === 'o' ? 4 : c === 'r' ? 2 : c === 'w' ? 1 : 0;
  return v;
}

function imm12(v: number, line: string): number {
  if (v < -2048 || v > 2047) throw new AssemblerError(`immediate ${v} does not fit 12 signed bits in '${line}'`);
  return v;
}

const enc = {
  r: (f: InstructionForm, rd: number, rs1: number, rs2: number) => f.match | (rd << 7) | (rs1 << 15) | (rs2 << 20),
  i: (f: InstructionForm, rd: number, rs1: number, imm: number) => f.match | (rd << 7) | (rs1 << 15) | ((imm & 0xfff) << 20),
  s: (f: InstructionForm, rs1: number, rs2: number, imm: number) =>
    f.match | ((imm & 0x1f) << 7) | (rs1 << 15) | (rs2 << 20) | (((imm >> 5) & 0x7f) << 25),
  b: (f: InstructionForm, rs1: number, rs2: number, off: number) =>
    f.match | (((off >> 11) & 1) << 7) | (((off >> 1) & 0xf) << 8) | (rs1 << 15) | (rs2 << 20) |
    (((off >> 5) & 0x3f) << 25) | (((off >> 12) & 1) << 31),
  j: (f: InstructionForm, rd: number, off: number) =>
    f.match | (rd << 7) | (((off >> 12) & 0xff) << 12) | (((off >> 11) & 1) << 20) | (((off >> 1) & 0x3ff) << 21) |
    (((off >> 20) & 1) << 31),
};

/** Encodes one instruction (no labels, no pseudo-instructions) located at `pc`. */
export function encode(text: string, pc = 0, labels?: ReadonlyMap<string, number>): number {
  const line = text.trim();
  const sp = line.search(/\s/);
  const mnemonic = sp < 0 ? line : line.slice(0, sp);
  const rest = sp < 0 ? '' : line.slice(sp + 1);
  const ops = rest === '' ? [] : rest.split(',').map((s) => s.trim());
  const form = FORM_BY_MNEMONIC.get(mnemonic);
  if (form === undefined) throw new AssemblerError(`unknown instruction '${mnemonic}' in '${line}'`);
  const want: Record<string, number> = {
    R: 3, I: 3, SHIFT: 3, LOAD: 2, STORE: 2, BRANCH: 3, U: 2, JAL: 2, JALR: 2, CSR: 3, CSRI: 3, AMO: 3, LR: 2, FENCE: 2, SFENCE: 2, NONE: 0,
  };
  const n = want[form.format]!;
  if (ops.length !== n && !(form.format === 'FENCE' && ops.length === 0)) {
    throw new AssemblerError(`'${mnemonic}' takes ${n} operand(s), got ${ops.length} in '${line}'`);
  }
  const memOp = (s: string): [number, number] => {
    const m = /^(.*)\((.+)\)$/.exec(s.trim());
    if (m === null) throw new AssemblerError(`expected offset(register), got '${s}' in '${line}'`);
    return [m[1]!.trim() === '' ? 0 : imm12(num(m[1]!, line, labels), line), reg(m[2]!, line)];
  };
  const rel = (s: string, bits: number) => {
    const off = num(s, line, labels) - pc;
    if (off < -(2 ** (bits - 1)) || off >= 2 ** (bits - 1)) throw new AssemblerError(`target out of range (${off} bytes) in '${line}'`);
    return off | 0;
  };
  let w: number;
  switch (form.format) {
    case 'R':
      w = enc.r(form, reg(ops[0]!, line), reg(ops[1]!, line), reg(ops[2]!, line));
      break;
    case 'I':
      w = enc.i(form, reg(ops[0]!, line), reg(ops[1]!, line), imm12(num(ops[2]!, line, labels), line));
      break;
    case 'SHIFT':
      w = enc.i(form, reg(ops[0]!, line), reg(ops[1]!, line), num(ops[2]!, line) & 31) | form.match;
      break;
    case 'LOAD':
    case 'JALR': {
      const [off, base] = memOp(ops[1]!);
      w = enc.i(form, reg(ops[0]!, line), base, off);
      break;
    }
    case 'STORE': {
      const [off, base] = memOp(ops[1]!);
      w = enc.s(form, base, reg(ops[0]!, line), off);
      break;
    }
    case 'BRANCH':
      w = enc.b(form, reg(ops[0]!, line), reg(ops[1]!, line), rel(ops[2]!, 13));
      break;
    case 'U':
      w = form.match | (reg(ops[0]!, line) << 7) | ((num(ops[1]!, line) & 0xfffff) << 12);
      break;
    case 'JAL':
      w = enc.j(form, reg(ops[0]!, line), rel(ops[1]!, 21));
      break;
    case 'CSR':
      w = enc.i(form, reg(ops[0]!, line), reg(ops[2]!, line), csr(ops[1]!, line));
      break;
    case 'CSRI':
      w = enc.i(form, reg(ops[0]!, line), num(ops[2]!, line) & 31, csr(ops[1]!, line));
      break;
    case 'AMO':
      w = enc.r(form, reg(ops[0]!, line), memOp(ops[2]!)[1], reg(ops[1]!, line));
      break;
    case 'LR':
      w = enc.r(form, reg(ops[0]!, line), memOp(ops[1]!)[1], 0);
      break;
    case 'FENCE':
      w = ops.length === 0 ? form.match | (0xff << 20) : form.match | (fenceBits(ops[0]!) << 24) | (fenceBits(ops[1]!) << 20);
      break;
    case 'SFENCE':
      w = enc.r(form, 0, reg(ops[0]!, line), reg(ops[1]!, line));
      break;
    case 'NONE':
      w = form.match;
      break;
  }
  return w | 0;
}

function expand(line: string): string[] {
  const sp = line.search(/\s/);
  const m = sp < 0 ? line : line.slice(0, sp);
  const ops = sp < 0 ? [] : line.slice(sp + 1).split(',').map((s) => s.trim());
  switch (m) {
    case 'nop':
      return ['addi zero, zero, 0'];
    case 'mv':
      return [`addi ${ops[0]}, ${ops[1]}, 0`];
    case 'j':
      return [`jal zero, ${ops[0]}`];
    case 'csrr':
      return [`csrrs ${ops[0]}, ${ops[1]}, zero`];
    case 'csrw':
      return [`csrrw zero, ${ops[0]}, ${ops[1]}`];
    case 'csrs':
    case 'csrc':
      return [`csrr${m[3]} zero, ${ops[0]}, ${ops[1]}`];
    case 'csrwi':
    case 'csrsi':
    case 'csrci':
      return [`csrr${m[3]}i zero, ${ops[0]}, ${ops[1]}`];
    case 'li':
      return [`li ${ops[0]}, ${ops[1]}`]; // resolved in pass 2 (two words)
    default:
      return [line];
  }
}

/**
 * Assembles a program placed at `base`. Lines may hold `label:`, comments after `#`, `.word N`.
 * Returns the words; `labels` maps label names to addresses.
 */
export function assemble(source: string, base = 0x8000_0000): { words: Int32Array; labels: Map<string, number> } {
  const lines: string[] = [];
  const labels = new Map<string, number>();
  for (const raw of source.split('\n')) {
    let line = raw.replace(/#.*$/, '').trim();
    while (/^[A-Za-z_.][\w.]*:/.test(line)) {
      const colon = line.indexOf(':');
      labels.set(line.slice(0, colon), base + lines.reduce((n, l) => n + (l.startsWith('li ') ? 8 : 4), 0));
      line = line.slice(colon + 1).trim();
    }
    if (line !== '') lines.push(...expand(line));
  }
  const words: number[] = [];
  for (const line of lines) {
    const pc = base + words.length * 4;
    if (line.startsWith('.word')) {
      words.push(num(line.slice(5), line, labels) | 0);
    } else if (line.startsWith('li ')) {
      const ops = line.slice(3).split(',').map((s) => s.trim());
      const v = num(ops[1]!, line, labels) | 0;
      const lo = (v << 20) >> 20;
      const hi = ((v - lo) >>> 12) & 0xfffff;
      words.push(encode(`lui ${ops[0]}, ${hi}`, pc), encode(`addi ${ops[0]}, ${ops[0]}, ${lo}`, pc + 4));
    } else {
      words.push(encode(line, pc, labels));
    }
  }
  return { words: Int32Array.from(words), labels };
}

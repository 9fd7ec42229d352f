/**
 * The decoder table: the one source (STYLE.md, after v86's `x86_table.js`) that the predecoding
 * interpreter, the disassembler, the assembler used by tests, the cost model and the
 * Popek–Goldberg checker all read. The emulator's binary translator reads it too.
 *
 * Each row is one instruction form of RV32IMA + Zicsr + Zifencei and the privileged
 * instructions of priv 1.12: the bits that identify it (`match`/`mask`), how its operands are
 * laid out, its cost class, its virtualization class and the id of its semantic handler.
 */
import type { InstructionClass } from '@virtlab/hw-model';

/**
 * Popek and Goldberg's classes, for the standard profile. `privileged`: traps when executed in
 * U-mode and does not trap in a mode that may use it. `control-sensitive`: changes the machine's
 * configuration (mode, translation, interrupt enables). `behaviour-sensitive`: its result depends
 * on that configuration. `innocuous`: neither. Instructions that trap in every mode (ecall,
 * ebreak) are innocuous here: their only effect is the trap, which the monitor always receives.
 * CSR forms are refined per CSR by the checker (`popek-goldberg.ts`).
 */
export type VirtualizationClass = 'innocuous' | 'privileged' | 'control-sensitive' | 'behaviour-sensitive';

/** How the operand fields of a form are laid out and written in assembly. */
export type OperandFormat =
  | 'R' // rd, rs1, rs2
  | 'I' // rd, rs1, imm
  | 'SHIFT' // rd, rs1, shamt
  | 'LOAD' // rd, imm(rs1)
  | 'STORE' // rs2, imm(rs1)
  | 'BRANCH' // rs1, rs2, target
  | 'U' // rd, imm20
  | 'JAL' // rd, target
  | 'JALR' // rd, imm(rs1)
  | 'CSR' // rd, csr, rs1
  | 'CSRI' // rd, csr, uimm
  | 'AMO' // rd, rs2, (rs1)
  | 'LR' // rd, (rs1)
  | 'FENCE' // pred, succ
  | 'SFENCE' // rs1, rs2
  | 'NONE';

export type Extension = 'I' | 'M' | 'A' | 'Zicsr' | 'Zifencei' | 'priv';

export interface InstructionForm {
  readonly mnemonic: string;
  readonly match: number;
  readonly mask: number;
  readonly format: OperandFormat;
  readonly cls: InstructionClass;
  readonly virt: VirtualizationClass;
  /** Semantic handler id: the interpreter's switch label and the translator's template key. */
  readonly op: number;
  readonly extension: Extension;
}

/** Handler ids that are not instruction forms. */
export const OP_UNDECODED = 0;
export const OP_ILLEGAL = 71;
/** Sentinel after the last instruction of a predecoded page: leave the page. */
export const OP_PAGE_END = 72;
export const OP_COUNT = 73;

type Row = readonly [string, number, number, OperandFormat, InstructionClass, VirtualizationClass, number, Extension];

// Masks: R-type funct7|funct3|opcode; I/S/B funct3|opcode; U/J opcode; AMO funct5|funct3|opcode.
const R = 0xfe00707f;
const F3 = 0x0000707f;
const OPC = 0x0000007f;
const AMO = 0xf800707f;
const EXACT = 0xffffffff;

const ROWS: readonly Row[] = [
  ['lui', 0x00000037, OPC, 'U', 'alu', 'innocuous', 1, 'I'],
  ['auipc', 0x00000017, OPC, 'U', 'alu', 'innocuous', 2, 'I'],
  ['jal', 0x0000006f, OPC, 'JAL', 'jump', 'innocuous', 3, 'I'],
  ['jalr', 0x00000067, F3, 'JALR', 'jump', 'innocuous', 4, 'I'],
  ['beq', 0x00000063, F3, 'BRANCH', 'branch', 'innocuous', 5, 'I'],
  ['bne', 0x00001063, F3, 'BRANCH', 'branch', 'innocuous', 6, 'I'],
  ['blt', 0x00004063, F3, 'BRANCH', 'branch', 'innocuous', 7, 'I'],
  ['bge', 0x00005063, F3, 'BRANCH', 'branch', 'innocuous', 8, 'I'],
  ['bltu', 0x00006063, F3, 'BRANCH', 'branch', 'innocuous', 9, 'I'],
  ['bgeu', 0x00007063, F3, 'BRANCH', 'branch', 'innocuous', 10, 'I'],
  ['lb', 0x00000003, F3, 'LOAD', 'load', 'innocuous', 11, 'I'],
  ['lh', 0x00001003, F3, 'LOAD', 'load', 'innocuous', 12, 'I'],
  ['lw', 0x00002003, F3, 'LOAD', 'load', 'innocuous', 13, 'I'],
  ['lbu', 0x00004003, F3, 'LOAD', 'load', 'innocuous', 14, 'I'],
  ['lhu', 0x00005003, F3, 'LOAD', 'load', 'innocuous', 15, 'I'],
  ['sb', 0x00000023, F3, 'STORE', 'store', 'innocuous', 16, 'I'],
  ['sh', 0x00001023, F3, 'STORE', 'store', 'innocuous', 17, 'I'],
  ['sw', 0x00002023, F3, 'STORE', 'store', 'innocuous', 18, 'I'],
  ['addi', 0x00000013, F3, 'I', 'alu', 'innocuous', 19, 'I'],
  ['slti', 0x00002013, F3, 'I', 'alu', 'innocuous', 20, 'I'],
  ['sltiu', 0x00003013, F3, 'I', 'alu', 'innocuous', 21, 'I'],
  ['xori', 0x00004013, F3, 'I', 'alu', 'innocuous', 22, 'I'],
  ['ori', 0x00006013, F3, 'I', 'alu', 'innocuous', 23, 'I'],
  ['andi', 0x00007013, F3, 'I', 'alu', 'innocuous', 24, 'I'],
  ['slli', 0x00001013, R, 'SHIFT', 'alu', 'innocuous', 25, 'I'],
  ['srli', 0x00005013, R, 'SHIFT', 'alu', 'innocuous', 26, 'I'],
  ['srai', 0x40005013, R, 'SHIFT', 'alu', 'innocuous', 27, 'I'],
  ['add', 0x00000033, R, 'R', 'alu', 'innocuous', 28, 'I'],
  ['sub', 0x40000033, R, 'R', 'alu', 'innocuous', 29, 'I'],
  ['sll', 0x00001033, R, 'R', 'alu', 'innocuous', 30, 'I'],
  ['slt', 0x00002033, R, 'R', 'alu', 'innocuous', 31, 'I'],
  ['sltu', 0x00003033, R, 'R', 'alu', 'innocuous', 32, 'I'],
  ['xor', 0x00004033, R, 'R', 'alu', 'innocuous', 33, 'I'],
  ['srl', 0x00005033, R, 'R', 'alu', 'innocuous', 34, 'I'],
  ['sra', 0x40005033, R, 'R', 'alu', 'innocuous', 35, 'I'],
  ['or', 0x00006033, R, 'R', 'alu', 'innocuous', 36, 'I'],
  ['and', 0x00007033, R, 'R', 'alu', 'innocuous', 37, 'I'],
  // fm/pred/succ/rs1/rd are reserved hints; every encoding with funct3=0 is a fence (unpriv 2.7).
  ['fence', 0x0000000f, F3, 'FENCE', 'fence', 'innocuous', 38, 'I'],
  ['fence.i', 0x0000100f, F3, 'NONE', 'fence', 'innocuous', 39, 'Zifencei'],
  ['ecall', 0x00000073, EXACT, 'NONE', 'system', 'innocuous', 40, 'I'],
  ['ebreak', 0x00100073, EXACT, 'NONE', 'system', 'innocuous', 41, 'I'],
  ['csrrw', 0x00001073, F3, 'CSR', 'csr', 'privileged', 42, 'Zicsr'],
  ['csrrs', 0x00002073, F3, 'CSR', 'csr', 'privileged', 43, 'Zicsr'],
  ['csrrc', 0x00003073, F3, 'CSR', 'csr', 'privileged', 44, 'Zicsr'],
  ['csrrwi', 0x00005073, F3, 'CSRI', 'csr', 'privileged', 45, 'Zicsr'],
  ['csrrsi', 0x00006073, F3, 'CSRI', 'csr', 'privileged', 46, 'Zicsr'],
  ['csrrci', 0x00007073, F3, 'CSRI', 'csr', 'privileged', 47, 'Zicsr'],
  ['mul', 0x02000033, R, 'R', 'mul', 'innocuous', 48, 'M'],
  ['mulh', 0x02001033, R, 'R', 'mul', 'innocuous', 49, 'M'],
  ['mulhsu', 0x02002033, R, 'R', 'mul', 'innocuous', 50, 'M'],
  ['mulhu', 0x02003033, R, 'R', 'mul', 'innocuous', 51, 'M'],
  ['div', 0x02004033, R, 'R', 'div', 'innocuous', 52, 'M'],
  ['divu', 0x02005033, R, 'R', 'div', 'innocuous', 53, 'M'],
  ['rem', 0x02006033, R, 'R', 'div', 'innocuous', 54, 'M'],
  ['remu', 0x02007033, R, 'R', 'div', 'innocuous', 55, 'M'],
  ['lr.w', 0x1000202f, 0xf9f0707f, 'LR', 'atomic', 'innocuous', 56, 'A'],
  ['sc.w', 0x1800202f, AMO, 'AMO', 'atomic', 'innocuous', 57, 'A'],
  ['amoswap.w', 0x0800202f, AMO, 'AMO', 'atomic', 'innocuous', 58, 'A'],
  ['amoadd.w', 0x0000202f, AMO, 'AMO', 'atomic', 'innocuous', 59, 'A'],
  ['amoxor.w', 0x2000202f, AMO, 'AMO', 'atomic', 'innocuous', 60, 'A'],
  ['amoand.w', 0x6000202f, AMO, 'AMO', 'atomic', 'innocuous', 61, 'A'],
  ['amoor.w', 0x4000202f, AMO, 'AMO', 'atomic', 'innocuous', 62, 'A'],
  ['amomin.w', 0x8000202f, AMO, 'AMO', 'atomic', 'innocuous', 63, 'A'],
  ['amomax.w', 0xa000202f, AMO, 'AMO', 'atomic', 'innocuous', 64, 'A'],
  ['amominu.w', 0xc000202f, AMO, 'AMO', 'atomic', 'innocuous', 65, 'A'],
  ['amomaxu.w', 0xe000202f, AMO, 'AMO', 'atomic', 'innocuous', 66, 'A'],
  ['sret', 0x10200073, EXACT, 'NONE', 'system', 'privileged', 67, 'priv'],
  ['mret', 0x30200073, EXACT, 'NONE', 'system', 'privileged', 68, 'priv'],
  ['wfi', 0x10500073, EXACT, 'NONE', 'system', 'privileged', 69, 'priv'],
  ['sfence.vma', 0x12000073, 0xfe007fff, 'SFENCE', 'system', 'privileged', 70, 'priv'],
];

/** Every instruction form, in table order. */
export const INSTRUCTION_FORMS: readonly InstructionForm[] = ROWS.map(
  ([mnemonic, match, mask, format, cls, virt, op, extension]) => ({ mnemonic, match: match | 0, mask: mask | 0, format, cls, virt, op, extension }),
);

/** The form with handler id `op`, for every id below `OP_ILLEGAL`. */
export const FORM_BY_OP: readonly (InstructionForm | undefined)[] = (() => {
  const byOp: (InstructionForm | undefined)[] = new Array<InstructionForm | undefined>(OP_COUNT).fill(undefined);
  for (const f of INSTRUCTION_FORMS) byOp[f.op] = f;
  return byOp;
})();

export const FORM_BY_MNEMONIC: ReadonlyMap<string, InstructionForm> = new Map(INSTRUCTION_FORMS.map((f) => [f.mnemonic, f]));

// Forms grouped by major opcode, the most specific mask first, so that decoding scans a few rows.
const BY_OPCODE: readonly (readonly InstructionForm[])[] = (() => {
  const groups: InstructionForm[][] = Array.from({ length: 128 }, () => []);
  for (const f of INSTRUCTION_FORMS) groups[f.match & 0x7f]!.push(f);
  const bits = (m: number) => {
    let n = 0;
    for (let v = m >>> 0; v !== 0; v >>>= 1) n += v & 1;
    return n;
  };
  for (const g of groups) g.sort((a, b) => bits(b.mask) - bits(a.mask));
  return groups;
})();

/** The form of an instruction word, or undefined when the word is not a valid RV32IMA instruction. */
export function decodeForm(word: number): InstructionForm | undefined {
  const group = BY_OPCODE[word & 0x7f]!;
  for (const f of group) if ((word & f.mask) === f.match) return f;
  return undefined;
}

/** Immediate field extractors (unpriv 2.3, figure 2.4). Results are sign-extended int32. */
export const imm = {
  i: (w: number) => w >> 20,
  s: (w: number) => ((w >> 25) << 5) | ((w >>> 7) & 0x1f),
  b: (w: number) => ((w >> 31) << 12) | (((w >>> 7) & 1) << 11) | (((w >>> 25) & 0x3f) << 5) | (((w >>> 8) & 0xf) << 1),
  u: (w: number) => w & 0xfffff000,
  j: (w: number) => ((w >> 31) << 20) | (((w >>> 12) & 0xff) << 12) | (((w >>> 20) & 1) << 11) | (((w >>> 21) & 0x3ff) << 1),
} as const;

/** Register fields. */
export const field = {
  rd: (w: number) => (w >>> 7) & 31,
  rs1: (w: number) => (w >>> 15) & 31,
  rs2: (w: number) => (w >>> 20) & 31,
  csr: (w: number) => (w >>> 20) & 0xfff,
} as const;

/**
 * The immediate a form's handler uses: the sign-extended immediate, the shift amount, the CSR
 * number, or (for `U`) the upper immediate already shifted.
 */
export function operandImmediate(form: InstructionForm, word: number): number {
  switch (form.format) {
    case 'I':
    case 'LOAD':
    case 'JALR':
      return imm.i(word);
    case 'SHIFT':
      return (word >>> 20) & 31;
    case 'STORE':
      return imm.s(word);
    case 'BRANCH':
      return imm.b(word);
    case 'U':
      return imm.u(word);
    case 'JAL':
      return imm.j(word);
    case 'CSR':
    case 'CSRI':
      return field.csr(word);
    case 'FENCE':
      return (word >>> 20) & 0xff;
    default:
      return 0;
  }
}

/**
 * What each plain instruction form does, written once (unpriv 2.4–2.6 and 13): a small int32
 * expression language over the instruction's operands, and one entry per handler id of the
 * decoder table. Everything that executes these forms is derived from this table — cpu-core's
 * fast loop (its source is generated from it, fast-loop.ts), the emulator's JavaScript translator
 * and its WebAssembly back end (each renders the expressions in its own target) — as v86 derives
 * its interpreter and its JIT from one instruction table. Forms whose semantics are not plain
 * (CSRs, system, atomics, fence.i, illegal words) are `general`: `Hart.execute`, once.
 *
 * The expression language is int32 throughout: operands are two's complement words, every
 * operator gives an int32 (comparisons 0 or 1), shifts take their amount mod 32 (as RV32 and
 * WebAssembly do), and `if` evaluates only the arm it takes. The raw division operators are
 * defined only where the expression guards them (divisor not zero, no INT_MIN / -1): RISC-V's
 * rules for those cases are part of the form's expression, not of any back end.
 */
import type { InstructionForm } from './decoder-table.js';
import { FORM_BY_OP, OP_COUNT } from './decoder-table.js';
import { mulhu } from './mulhu.js';

/** An instruction's operands: the two source registers, its immediate (`operandImmediate`), its own address. */
export type Operand = 'rs1' | 'rs2' | 'imm' | 'pc';

export type BinaryOperator =
  | 'add' | 'sub' | 'and' | 'or' | 'xor' | 'shl' | 'shr_u' | 'shr_s'
  | 'eq' | 'ne' | 'lt_s' | 'lt_u' | 'ge_s' | 'ge_u'
  | 'mul' | 'mulhu' | 'div_s' | 'div_u' | 'rem_s' | 'rem_u';

export type Expr =
  | { readonly k: 'operand'; readonly o: Operand }
  | { readonly k: 'const'; readonly v: number }
  | { readonly k: 'bin'; readonly op: BinaryOperator; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'if'; readonly c: Expr; readonly t: Expr; readonly f: Expr };

/** What one form does. */
export type Semantics =
  /** rd ← value. */
  | { readonly kind: 'write'; readonly value: Expr }
  /** if cond ≠ 0: pc ← pc + imm (a taken branch to a misaligned target raises on the branch). */
  | { readonly kind: 'branch'; readonly cond: Expr }
  /** rd ← pc + 4; pc ← target (raises on a misaligned target, rd unwritten). */
  | { readonly kind: 'jump'; readonly target: Expr }
  /** rd ← the `size` bytes at rs1 + imm, sign- or zero-extended. */
  | { readonly kind: 'load'; readonly size: 1 | 2 | 4; readonly signed: boolean }
  /** The low `size` bytes of rs2 → memory at rs1 + imm. */
  | { readonly kind: 'store'; readonly size: 1 | 2 | 4 }
  /** Nothing (fence: one hart, coherent memory). */
  | { readonly kind: 'none' }
  /** The hart's general path (`Hart.execute`). */
  | { readonly kind: 'general' };

const operand = (o: Operand): Expr => ({ k: 'operand', o });
const bin = (op: BinaryOperator) => (a: Expr, b: Expr): Expr => ({ k: 'bin', op, a, b });
const konst = (v: number): Expr => ({ k: 'const', v: v | 0 });
const when = (c: Expr, t: Expr, f: Expr): Expr => ({ k: 'if', c, t, f });

const rs1 = operand('rs1');
const rs2 = operand('rs2');
const immediate = operand('imm');
const pc = operand('pc');
const add = bin('add');
const sub = bin('sub');
const and = bin('and');
const or = bin('or');
const xor = bin('xor');
const shl = bin('shl');
const shrU = bin('shr_u');
const shrS = bin('shr_s');
const eq = bin('eq');
const ne = bin('ne');
const ltS = bin('lt_s');
const ltU = bin('lt_u');
const geS = bin('ge_s');
const geU = bin('ge_u');
const mul = bin('mul');
const mulHU = bin('mulhu');
const divS = bin('div_s');
const divU = bin('div_u');
const remS = bin('rem_s');
const remU = bin('rem_u');
const ZERO = konst(0);
const MINUS_ONE = konst(-1);
const INT_MIN = konst(-0x80000000);

const write = (value: Expr): Semantics => ({ kind: 'write', value });
const branch = (cond: Expr): Semantics => ({ kind: 'branch', cond });

/** The semantics of each plain form, by mnemonic (the decoder table gives the handler ids). */
const BY_MNEMONIC: Record<string, Semantics> = {
  lui: write(immediate), // the U immediate is already shifted (operandImmediate)
  auipc: write(add(pc, immediate)),
  jal: { kind: 'jump', target: add(pc, immediate) },
  jalr: { kind: 'jump', target: and(add(rs1, immediate), konst(-2)) }, // target computed before rd is written
  beq: branch(eq(rs1, rs2)),
  bne: branch(ne(rs1, rs2)),
  blt: branch(ltS(rs1, rs2)),
  bge: branch(geS(rs1, rs2)),
  bltu: branch(ltU(rs1, rs2)),
  bgeu: branch(geU(rs1, rs2)),
  lb: { kind: 'load', size: 1, signed: true },
  lh: { kind: 'load', size: 2, signed: true },
  lw: { kind: 'load', size: 4, signed: true },
  lbu: { kind: 'load', size: 1, signed: false },
  lhu: { kind: 'load', size: 2, signed: false },
  sb: { kind: 'store', size: 1 },
  sh: { kind: 'store', size: 2 },
  sw: { kind: 'store', size: 4 },
  sub: write(sub(rs1, rs2)),
  fence: { kind: 'none' },
  mul: write(mul(rs1, rs2)),
  // The signed high products from the unsigned one: a·b = (a + 2^32·[a<0])·... gives
  // hi_signed = hi_unsigned − [a<0]·b − [b<0]·a (mod 2^32).
  mulh: write(sub(sub(mulHU(rs1, rs2), when(ltS(rs1, ZERO), rs2, ZERO)), when(ltS(rs2, ZERO), rs1, ZERO))),
  mulhsu: write(sub(mulHU(rs1, rs2), when(ltS(rs1, ZERO), rs2, ZERO))),
  mulhu: write(mulHU(rs1, rs2)),
  // Division (unpriv 13.2, table 13.1): by zero, the quotient is all ones and the remainder the
  // dividend; on signed overflow (INT_MIN / -1) the quotient is the dividend and the remainder 0.
  div: write(when(eq(rs2, ZERO), MINUS_ONE, when(and(eq(rs1, INT_MIN), eq(rs2, MINUS_ONE)), rs1, divS(rs1, rs2)))),
  divu: write(when(eq(rs2, ZERO), MINUS_ONE, divU(rs1, rs2))),
  rem: write(when(eq(rs2, ZERO), rs1, when(eq(rs2, MINUS_ONE), ZERO, remS(rs1, rs2)))),
  remu: write(when(eq(rs2, ZERO), rs1, remU(rs1, rs2))),
};

/**
 * OP and OP-IMM (unpriv 2.4.1–2.4.2): each register-immediate form computes what its
 * register-register twin does, with the immediate (sign-extended, or the shift amount) for rs2;
 * the shift forms take rs2's low five bits.
 */
const OP_AND_OP_IMM: readonly (readonly [string, string, (a: Expr, b: Expr) => Expr])[] = [
  ['add', 'addi', add], ['slt', 'slti', ltS], ['sltu', 'sltiu', ltU], ['xor', 'xori', xor], ['or', 'ori', or], ['and', 'andi', and],
  ['sll', 'slli', shl], ['srl', 'srli', shrU], ['sra', 'srai', shrS],
];
for (const [registerForm, immediateForm, f] of OP_AND_OP_IMM) {
  BY_MNEMONIC[registerForm] = write(f(rs1, rs2));
  BY_MNEMONIC[immediateForm] = write(f(rs1, immediate)); // sltiu: the sign-extended immediate compared unsigned
}

const GENERAL: Semantics = { kind: 'general' };

/** The semantics of every handler id (`general` for the general path's forms, illegal and unused ids). */
export const SEMANTICS: readonly Semantics[] = (() => {
  const byOp: Semantics[] = new Array<Semantics>(OP_COUNT).fill(GENERAL);
  for (const f of FORM_BY_OP) if (f !== undefined && BY_MNEMONIC[f.mnemonic] !== undefined) byOp[f.op] = BY_MNEMONIC[f.mnemonic]!;
  return byOp;
})();

/** The semantics of `form` (undefined: an illegal word, the general path). */
export function semanticsOf(form: InstructionForm | undefined): Semantics {
  return form === undefined ? GENERAL : SEMANTICS[form.op]!;
}

/** Every operand an expression reads. */
export function operandsOf(e: Expr, into: Set<Operand> = new Set()): Set<Operand> {
  if (e.k === 'operand') into.add(e.o);
  else if (e.k === 'bin') {
    operandsOf(e.a, into);
    operandsOf(e.b, into);
  } else if (e.k === 'if') {
    operandsOf(e.c, into);
    operandsOf(e.t, into);
    operandsOf(e.f, into);
  }
  return into;
}

/** True for the operators whose value is a comparison (0 or 1). */
export function isComparison(op: BinaryOperator): boolean {
  return op === 'eq' || op === 'ne' || op === 'lt_s' || op === 'lt_u' || op === 'ge_s' || op === 'ge_u';
}

/** True when evaluating `e` cannot fail in any back end (no raw division): both arms of an `if` may then be evaluated. */
export function isTotal(e: Expr): boolean {
  if (e.k === 'bin') return e.op !== 'div_s' && e.op !== 'div_u' && e.op !== 'rem_s' && e.op !== 'rem_u' && isTotal(e.a) && isTotal(e.b);
  if (e.k === 'if') return isTotal(e.c) && isTotal(e.t) && isTotal(e.f);
  return true;
}

/** The value of one operator on int32 operands (the language's definition). */
export function applyOperator(op: BinaryOperator, a: number, b: number): number {
  switch (op) {
    case 'add': return (a + b) | 0;
    case 'sub': return (a - b) | 0;
    case 'and': return a & b;
    case 'or': return a | b;
    case 'xor': return a ^ b;
    case 'shl': return a << b;
    case 'shr_u': return (a >>> b) | 0;
    case 'shr_s': return a >> b;
    case 'eq': return a === b ? 1 : 0;
    case 'ne': return a !== b ? 1 : 0;
    case 'lt_s': return a < b ? 1 : 0;
    case 'lt_u': return a >>> 0 < b >>> 0 ? 1 : 0;
    case 'ge_s': return a >= b ? 1 : 0;
    case 'ge_u': return a >>> 0 >= b >>> 0 ? 1 : 0;
    case 'mul': return Math.imul(a, b);
    case 'mulhu': return mulhu(a, b);
    case 'div_s': return (a / b) | 0;
    case 'div_u': return (a >>> 0) / (b >>> 0) | 0;
    case 'rem_s': return (a % b) | 0;
    case 'rem_u': return (a >>> 0) % (b >>> 0) | 0;
  }
}

/** What is known of an instruction's operands at translation time. */
export type KnownOperands = Partial<Record<Operand, number>>;

/** `e` with every part that depends only on known operands replaced by its value (an `if` on a known condition by its arm). */
export function fold(e: Expr, known: KnownOperands): Expr {
  switch (e.k) {
    case 'const':
      return e;
    case 'operand': {
      const v = known[e.o];
      return v === undefined ? e : konst(v);
    }
    case 'bin': {
      const a = fold(e.a, known);
      const b = fold(e.b, known);
      if (a.k === 'const' && b.k === 'const') return konst(applyOperator(e.op, a.v, b.v));
      return a === e.a && b === e.b ? e : { k: 'bin', op: e.op, a, b };
    }
    case 'if': {
      const c = fold(e.c, known);
      if (c.k === 'const') return fold(c.v !== 0 ? e.t : e.f, known);
      return { k: 'if', c, t: fold(e.t, known), f: fold(e.f, known) };
    }
  }
}

/** The value of `e` with every operand given. */
export function evaluate(e: Expr, operands: Readonly<Record<Operand, number>>): number {
  const v = fold(e, operands);
  if (v.k !== 'const') throw new Error('evaluate: an operand is missing');
  return v.v;
}

/** How a JavaScript back end names an expression's operands: each a JS int32 expression. */
export type JsOperands = Partial<Record<Operand, string>>;

const jsLiteral = (n: number) => ((n | 0) < 0 ? `(${n | 0})` : `${n | 0}`);

/**
 * `e` as a JavaScript int32 expression. Operands not in `names` must have been folded away; the
 * unsigned high product calls `mulhu` (cpu-core's), which the code must have in scope as `MULHU`.
 */
export function jsValue(e: Expr, names: JsOperands): string {
  switch (e.k) {
    case 'const':
      return jsLiteral(e.v);
    case 'operand': {
      const n = names[e.o];
      if (n === undefined) throw new Error(`jsValue: no name for operand ${e.o}`);
      return n;
    }
    case 'if':
      return `(${jsCondition(e.c, names)} ? ${jsValue(e.t, names)} : ${jsValue(e.f, names)})`;
    case 'bin': {
      if (isComparison(e.op)) return `(${jsCondition(e, names)} ? 1 : 0)`;
      const a = jsValue(e.a, names);
      const b = jsValue(e.b, names);
      switch (e.op) {
        case 'add': return `((${a} + ${b}) | 0)`;
        case 'sub': return `((${a} - ${b}) | 0)`;
        case 'and': return `(${a} & ${b})`;
        case 'or': return `(${a} | ${b})`;
        case 'xor': return `(${a} ^ ${b})`;
        case 'shl': return `(${a} << ${b})`;
        case 'shr_u': return `((${a} >>> ${b}) | 0)`;
        case 'shr_s': return `(${a} >> ${b})`;
        case 'mul': return `Math.imul(${a}, ${b})`;
        case 'mulhu': return `MULHU(${a}, ${b})`;
        case 'div_s': return `((${a} / ${b}) | 0)`;
        case 'div_u': return `(((${a} >>> 0) / (${b} >>> 0)) | 0)`;
        case 'rem_s': return `((${a} % ${b}) | 0)`;
        case 'rem_u': return `(((${a} >>> 0) % (${b} >>> 0)) | 0)`;
        default: throw new Error(`jsValue: ${e.op}`);
      }
    }
  }
}

/** `e ≠ 0` as a JavaScript boolean expression (comparisons and their conjunctions directly). */
export function jsCondition(e: Expr, names: JsOperands): string {
  if (e.k === 'bin' && isComparison(e.op)) {
    const a = jsValue(e.a, names);
    const b = jsValue(e.b, names);
    switch (e.op) {
      case 'eq': return `${a} === ${b}`;
      case 'ne': return `${a} !== ${b}`;
      case 'lt_s': return `${a} < ${b}`;
      case 'ge_s': return `${a} >= ${b}`;
      case 'lt_u': return `(${a} >>> 0) < (${b} >>> 0)`;
      default: return `(${a} >>> 0) >= (${b} >>> 0)`;
    }
  }
  if (e.k === 'bin' && e.op === 'and' && isBoolean(e.a) && isBoolean(e.b)) return `(${jsCondition(e.a, names)}) && (${jsCondition(e.b, names)})`;
  if (e.k === 'const') return e.v !== 0 ? 'true' : 'false';
  return `${jsValue(e, names)} !== 0`;
}

/** True when `e` is always 0 or 1. */
function isBoolean(e: Expr): boolean {
  return (e.k === 'bin' && (isComparison(e.op) || (e.op === 'and' && isBoolean(e.a) && isBoolean(e.b)))) || (e.k === 'const' && (e.v === 0 || e.v === 1));
}

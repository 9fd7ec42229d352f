/**
 * The interpreter's hot loop (hart.ts runs it): plain RV32IM forms, RAM loads and stores on the
 * fast path, and branches within a page, over one typed array that holds the registers, the TLB's
 * fast table and the predecoded pages. Everything else leaves the loop for the hart's general path.
 *
 * Its source is generated once, when the module loads, from the semantics table (semantics.ts):
 * each plain form's case renders that form's expression, so what an instruction does is written
 * once for the interpreter and the emulator's translators alike. `fastLoopSource` is the
 * generated text.
 */
import { FORM_BY_OP, OP_PAGE_END, OP_UNDECODED } from './decoder-table.js';
import { mulhu } from './mulhu.js';
import { SEMANTICS, jsCondition, jsValue, operandsOf } from './semantics.js';
import type { Expr, JsOperands, Operand } from './semantics.js';
import { FAST_READ, FAST_WRITE } from './tlb.js';

// One typed array holds, in order: the registers (64 ints), the TLB's fast table, the predecoded pages.
const REGS_AREA = 64;
/** Where the TLB's fast table starts in the run-loop array. */
export const TLB_AREA = REGS_AREA;

/** Why `fastLoop` returned. */
export const EXIT_LIMIT = 0;
export const EXIT_DECODE = 1;
export const EXIT_PAGE_END = 2;
export const EXIT_JUMP = 3;
export const EXIT_SLOW = 4;

/** What the fast loop works on; one object per hart, filled by `run` before each entry. */
export class FastState {
  pd: Int32Array = new Int32Array(0);
  ram32: Int32Array = new Int32Array(0);
  cnt: Float64Array = new Float64Array(0);
  pageSlot: Int32Array = new Int32Array(0);
  rb = 0;
  rl4 = 0;
  tm = 0;
  tb = 0;
  dm = 0;
  bias = 0;
  i = 0;
  n = 0;
  sp = 0;
  lim = 0;
  th = 0;
  jt = 0;
}

// The predecoded word (predecode.ts): handler id | rd << 7 | rs1 << 13 | rs2 << 19 | cost << 25, the immediate at pd[i + 1].
const RD = 'r[(w >> 7) & 63]';
const OPERAND_SOURCE: Readonly<Record<Operand, string>> = {
  rs1: 'r[(w >> 13) & 63]',
  rs2: 'r[(w >> 19) & 63]',
  imm: 'pd[i + 1]',
  pc: '((bias + (i << 1)) | 0)',
};

/** Binds the register operands `e` reads to locals (read once, before anything is written). */
function bindOperands(e: Expr): { decl: string; names: JsOperands } {
  const used = operandsOf(e);
  const names: JsOperands = { imm: OPERAND_SOURCE.imm, pc: OPERAND_SOURCE.pc };
  let decl = '';
  if (used.has('rs1')) {
    decl += `const a = ${OPERAND_SOURCE.rs1}; `;
    names.rs1 = 'a';
  }
  if (used.has('rs2')) {
    decl += `const b = ${OPERAND_SOURCE.rs2}; `;
    names.rs2 = 'b';
  }
  return { decl, names };
}

/** The data path of a load or store of `size` bytes at rs1 + imm: `o` the RAM offset, or -1 for the general path. */
function dataPath(size: 1 | 2 | 4, perm: number): string {
  return `const a = (${OPERAND_SOURCE.rs1} + pd[i + 1]) | 0;
        let o = -1;
        if (dm === 0) {
          const x = (a - rb) >>> 0;
          if (x <= rl4${size === 4 ? '' : ` + ${4 - size}`}) o = x;
        } else if (dm === 1) {
          const e = ${TLB_AREA} + (((a >>> 12) & tm) << 2);
          if (pd[e] === a >>> 12 && (pd[e + 1] & ${perm}) !== 0) {
            th++;
            o = pd[e + 2] + (a & 0xfff);
          }
        }
        if (o >= 0${size === 1 ? '' : ` && (a & ${size - 1}) === 0`}) {`;
}

/** The case of handler id `op`, or undefined for the general path. */
function caseSource(op: number): string | undefined {
  const sem = SEMANTICS[op]!;
  const form = FORM_BY_OP[op];
  if (form === undefined) return undefined;
  // Per-handler counts feed the lab's counters; plain ALU forms are what is left of the retired count.
  const count = form.cls === 'alu' ? '' : 'cnt[op] = cnt[op] + 1; ';
  const leave = `st.jt = t; code = ${EXIT_JUMP}; break loop;`;
  switch (sem.kind) {
    case 'write': {
      const { decl, names } = bindOperands(sem.value);
      return `{ ${count}${decl}${RD} = ${jsValue(sem.value, names)}; i += 2; continue; }`;
    }
    case 'jump': {
      // The target is computed before rd is written (rd may be rs1).
      const { decl, names } = bindOperands(sem.target);
      return `{
        ${count}const pc = ${OPERAND_SOURCE.pc};
        ${decl}const t = ${jsValue(sem.target, { ...names, pc: 'pc' })};
        sp = (sp + tb) | 0;
        if ((t & 3) === 0) {
          ${RD} = (pc + 4) | 0;
          if (((t ^ pc) >>> 12) === 0) { i = (t - bias) >> 1; continue; }
        }
        ${leave}
      }`;
    }
    case 'branch': {
      const { decl, names } = bindOperands(sem.cond);
      return `{
        ${count}${decl}if (${jsCondition(sem.cond, names)}) {
          const pc = ${OPERAND_SOURCE.pc};
          const t = (pc + pd[i + 1]) | 0;
          sp = (sp + tb) | 0;
          if (((t ^ pc) >>> 12) === 0 && (t & 3) === 0) { i = (t - bias) >> 1; continue; }
          ${leave}
        }
        i += 2; continue;
      }`;
    }
    case 'load': {
      const { size, signed } = sem;
      // RAM is an Int32Array: the word holding the bytes, shifted down (sign- or zero-extended).
      const lane = `((o & ${4 - size}) << 3)`;
      const value = size === 4 ? 'ram32[o >>> 2]'
        : signed ? `(ram32[o >>> 2] << (${32 - 8 * size} - ${lane})) >> ${32 - 8 * size}`
          : `(ram32[o >>> 2] >>> ${lane}) & ${size === 1 ? '0xff' : '0xffff'}`;
      return `{
        ${dataPath(size, FAST_READ)}
          ${count}${RD} = ${value};
          i += 2; continue;
        }
        code = ${EXIT_SLOW}; break loop;
      }`;
    }
    case 'store': {
      const { size } = sem;
      const rs2 = OPERAND_SOURCE.rs2;
      const put = size === 4 ? `ram32[o >>> 2] = ${rs2};`
        : `const k = o >>> 2; const sh = (o & ${4 - size}) << 3; const m = ${size === 1 ? '0xff' : '0xffff'};
          ram32[k] = (ram32[k] & ~(m << sh)) | ((${rs2} & m) << sh);`;
      // A store into a predecoded page clears the entry it overwrote (decoded again when reached).
      return `{
        ${dataPath(size, FAST_WRITE)}
          ${count}${put}
          const ps = pageSlot[o >>> 12];
          if (ps >= 0) pd[ps + (((o & 0xfff) >>> 2) << 1)] = 0;
          i += 2; continue;
        }
        code = ${EXIT_SLOW}; break loop;
      }`;
    }
    case 'none':
      return `{ ${count}i += 2; continue; }`;
    case 'general':
      return undefined;
  }
}

/**
 * The loop's source: straight-line code with no calls (but cpu-core's `mulhu`), so that V8 keeps
 * the typed arrays' data pointers in registers. It runs until the budget or the cycle limit is
 * reached or an instruction needs the general path, then returns why (EXIT_*) with its state in `st`.
 */
export const fastLoopSource: string = (() => {
  const cases: string[] = [];
  for (let op = 0; op < SEMANTICS.length; op++) {
    const body = caseSource(op);
    if (body !== undefined) cases.push(`      case ${op}: // ${FORM_BY_OP[op]!.mnemonic}\n        ${body}`);
  }
  return `function fastLoop(st) {
  const pd = st.pd;
  const r = pd; // registers are pd[0..32]
  const ram32 = st.ram32;
  const cnt = st.cnt;
  const pageSlot = st.pageSlot;
  const rb = st.rb;
  const rl4 = st.rl4;
  const tm = st.tm;
  const tb = st.tb;
  const dm = st.dm;
  const bias = st.bias;
  const lim = st.lim;
  let i = st.i;
  let n = st.n;
  let sp = st.sp;
  let th = st.th;
  let code = ${EXIT_LIMIT};
  loop: for (;;) {
    if (n === 0 || sp >= lim) break;
    const w = pd[i];
    const op = w & 0x7f;
    n--;
    sp = (sp + (w >>> 25)) | 0;
    switch (op) {
      case ${OP_UNDECODED}: // not decoded yet (new page, or cleared by a store): the caller decodes it
        n++;
        code = ${EXIT_DECODE};
        break loop;
${cases.join('\n')}
      case ${OP_PAGE_END}:
        n++;
        code = ${EXIT_PAGE_END};
        break loop;
      default:
        code = ${EXIT_SLOW};
        break loop;
    }
  }
  st.i = i;
  st.n = n;
  st.sp = sp;
  st.th = th;
  return code;
}`;
})();

/** The interpreter's hot loop, compiled from `fastLoopSource`. */
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from the semantics table, once per process
const makeFastLoop = new Function('MULHU', `"use strict"; return ${fastLoopSource};`) as (m: typeof mulhu) => (st: FastState) => number;
export const fastLoop: (st: FastState) => number = makeFastLoop(mulhu);

/**
 * The translator: one guest basic block (straight-line RV32 code up to a control transfer, a
 * system/CSR instruction, the end of the 4 KiB page, or a length cap) becomes the source of one
 * JavaScript function, compiled once with `new Function`.
 *
 * Forms come from cpu-core's decoder table (`decodeForm`; the cost class prices the block) and what
 * each does from cpu-core's semantics table (`semanticsOf`): an instruction's code is its form's
 * expression rendered in JavaScript, folded with what is known at translation time (immediate,
 * pc, x0), so instruction semantics are written once, for the interpreter and both back ends.
 * Everything that is not plain arithmetic, a branch or a RAM load/store on the fast path goes to
 * the hart's own general path (`Hart.execute`) through the engine's `slow` helper, so privileged
 * semantics exist once, in cpu-core. Under binary translation the monitor's hook
 * (`TranslationHooks.emit`) chooses per instruction what is emitted: the form's semantics, other
 * semantics, or a callout.
 *
 * Lab-view equivalence with the interpreter shapes the generated code:
 * - cycles are the block's static per-instruction costs, summed at translation time (`pre[k]` is
 *   the cost of instructions 0..k-1), plus the taken-branch price on the path actually taken;
 *   helpers that can add cycles (TLB walks, MMIO) get the exact cycle count of their instruction;
 * - the `checked` variant tests the interpreter's per-instruction condition (instruction budget
 *   used up, or the next interrupt event reached) before every instruction, for blocks that
 *   would cross an event; the fast variant runs only when the whole block fits before it;
 * - loads and stores take the same fast path as the interpreter for the hart's data mode (`dm`:
 *   0 physical RAM, 1 the TLB's precomputed fast entries, 2 general path only), so TLB hits and
 *   misses are counted alike.
 */
import { FAST_READ, FAST_WRITE, FORM_BY_OP, OP_ILLEGAL, decodeForm, field, fold, jsCondition, jsValue, operandImmediate, semanticsOf } from '@virtlab/cpu-core';
import type { Expr, InstructionForm, KnownOperands, Semantics } from '@virtlab/cpu-core';
import type { CostModel } from '@virtlab/hw-model';
import type { Region } from './region.js';

/** A compiled block: returns an exit code (see `EXIT_*`), having updated the context. */
export type BlockFn = (h: BlockContext) => number;

/** Continue in the same fetch page with the block at `h.pc`, through chain slot 0 (the taken target). */
export const EXIT_CHAIN_TAKEN = 0;
/** Continue in the same fetch page through chain slot 1 (the fall-through). */
export const EXIT_CHAIN_NEXT = 1;
/** Continue in the same fetch page; look the block at `h.pc` up. */
export const EXIT_LOOKUP = 2;
/** Leave the inner loop (trap, mode change, event): the run loop takes over. */
export const EXIT_OUTER = 3;
/** A region left before an instruction of the general path: the block starting there runs on its own. */
export const EXIT_SINGLE = 4;
/** Leave the inner loop: the block completed and went to another page (`h.pc`, aligned). */
export const EXIT_PAGE = 6;

/** The inner loop's state, shared by the dispatcher, the blocks and the helpers. */
export class BlockContext {
  /** Lab cycles. */
  c = 0;
  /** Instructions left before the interpreter would leave its inner loop. */
  n = 0;
  /** `n` at the start of this inner loop. */
  n0 = 0;
  /** The hart's `retired` at the start of this inner loop. */
  retBase = 0;
  /** Lab cycle at which interrupts must be looked at. */
  evt = 0;
  /** Next guest pc. */
  pc = 0;
  /** After a region returns: the index of the block whose page execution continues in. */
  blk = 0;
}

/**
 * How one instruction is translated: its form's semantics (cpu-core's table), or a callout into
 * the monitor (binary translation), which runs instead of the instruction and ends the block.
 */
export type Emission = Semantics | { readonly kind: 'callout' };

/** The emission of a callout. */
export const CALLOUT: Emission = { kind: 'callout' };

/** Chooses what instruction `word` of form `form` (undefined: illegal) becomes in translation mode 1, given its semantics. */
export type EmitHook = (word: number, form: InstructionForm | undefined, semantics: Semantics) => Emission;

/** Decoded content of a block, before and after compilation. */
export interface Block {
  readonly vpc: number;
  /** RAM offset of the first instruction. */
  readonly phys: number;
  /** Data mode the loads and stores were generated for. */
  readonly dm: number;
  /** Translation mode: 0 runs every instruction as itself; 1 as the monitor's hook chose (`sems`: callouts among them). */
  readonly tm: number;
  readonly len: number;
  readonly words: Int32Array;
  readonly ops: Uint8Array;
  /** What each instruction is translated to. */
  readonly sems: readonly Emission[];
  /** pre[k]: lab cycles of instructions 0..k-1 (length len + 1). */
  readonly pre: Float64Array;
  /** Loads/stores with a TLB fast path among instructions 0..k-1 (dm 1 only; length len + 1). */
  readonly memPrefix: Int32Array;
  /** The single-block function, compiled when the block first runs outside a region. */
  fast: BlockFn | undefined;
  checked: BlockFn | undefined;
  /** pre[len - 1]: the cycles before the last instruction (the fast variant's fit test). */
  last: number;
  next0: Block | undefined;
  next1: Block | undefined;
  /** Last target of a computed exit (jalr), used when its pc matches. */
  nextDyn: Block | undefined;
  valid: boolean;
  /** Completed runs not yet folded into the counters. */
  runs: number;
  sourceBytes: number;
  /** The region of its page compiled with this block in it, while that region is live. */
  region: Region | undefined;
  /** Its index in `region.blocks`. */
  regionIndex: number;
  /** Runs outside a region (the region builder's hotness test). */
  heat: number;
  /** Region builds tried from this block, as a power of two (the next try waits for threshold × builds runs). */
  builds: number;
}

/** What generated code closes over: RAM views, the TLB's fast-path arrays, the engine's helpers. */
export interface TranslationEnv {
  readonly r: Int32Array;
  readonly ram8: Uint8Array;
  readonly ram8s: Int8Array;
  readonly ram16: Uint16Array;
  readonly ram16s: Int16Array;
  readonly ram32: Int32Array;
  readonly ramBase: number;
  readonly ramSize: number;
  /** Per RAM page: non-zero when translated code lives there. */
  readonly codePages: Int32Array;
  /** The TLB's fast-path view: [key, fast, ramOffset, 0] per entry (cpu-core tlb.ts). */
  readonly tlbTable: Int32Array;
  readonly tlbMask: number;
  /** General path for instruction k; 0 = continue, else the exit code to return. */
  readonly slow: (h: BlockContext, b: Block, k: number, c: number, checked: boolean) => number;
  /** A fast-path store hit a page with code: invalidate; 0 = continue, else the exit code. */
  readonly codeWrite: (h: BlockContext, b: Block, k: number, c: number, off: number, size: number) => number;
  /** Leave before instruction k (budget or event). */
  readonly exitAt: (h: BlockContext, b: Block, k: number, c: number) => number;
  /** A jump to a misaligned target at instruction k. */
  readonly jumpFault: (h: BlockContext, b: Block, k: number, c: number, target: number) => number;
  /** Fetch translations a region made inline at page crossings (TLB hits, added to the lab's). */
  readonly fetchHits: Float64Array;
  /** A region's store hit a page with code: invalidate; true when the region must be left. */
  readonly codeWritten: (off: number, size: number) => boolean;
  /** A region leaves before instruction k, which goes through the general path outside it. */
  readonly leaveBefore: (h: BlockContext, b: Block, k: number, c: number) => number;
  /** A region leaves after a store at instruction k that invalidated translations. */
  readonly leaveAfterWrite: (h: BlockContext, b: Block, k: number, c: number) => number;
  readonly mulhu: (a: number, b: number) => number;
}

/** Longest block, in instructions. */
export const MAX_BLOCK = 128;

/** Instructions that end a block: control transfers, callouts and general-path forms that can change mode or pc. */
function endsBlock(op: number, e: Emission): boolean {
  const f = FORM_BY_OP[op];
  if (e.kind === 'branch' || e.kind === 'jump' || e.kind === 'callout') return true;
  if (e.kind !== 'general') return false;
  return f === undefined || f.cls === 'csr' || f.cls === 'system' || f.mnemonic === 'fence.i';
}

/** Emissions with an inline RAM fast path (loads and stores). */
export function isFastMem(e: Emission): boolean {
  return e.kind === 'load' || e.kind === 'store';
}

/** What is known at translation time of instruction `word` at `pc`: its immediate, its pc, x0's value. */
export function knownOperands(form: InstructionForm | undefined, word: number, pc: number): KnownOperands {
  const known: KnownOperands = { imm: form === undefined ? 0 : operandImmediate(form, word), pc: pc | 0 };
  if (field.rs1(word) === 0) known.rs1 = 0;
  if (field.rs2(word) === 0) known.rs2 = 0;
  return known;
}

/** Instruction k of `b`'s jump target when it is known at translation time (jal, jalr from x0), else undefined. */
export function staticTarget(b: Pick<Block, 'vpc' | 'words' | 'ops' | 'sems'>, k: number): number | undefined {
  const e = b.sems[k]!;
  if (e.kind !== 'jump') return undefined;
  const t: Expr = fold(e.target, knownOperands(FORM_BY_OP[b.ops[k]!], b.words[k]!, (b.vpc + 4 * k) | 0));
  return t.k === 'const' ? t.v : undefined;
}

/**
 * Decodes the block at RAM offset `phys` (virtual `vpc`) without compiling it; in translation
 * mode 1, `emit` chooses what each instruction becomes (a callout ends the block, as every
 * system and CSR form does).
 */
export function decodeBlock(ram32: Int32Array, phys: number, vpc: number, dm: number, cost: CostModel, tm = 0, emit?: EmitHook): Block {
  const room = (4096 - (phys & 0xfff)) >>> 2;
  const max = Math.min(room, MAX_BLOCK);
  const words: number[] = [];
  const ops: number[] = [];
  const sems: Emission[] = [];
  const hook = tm === 1 ? emit : undefined;
  for (let k = 0; k < max; k++) {
    const w = ram32[(phys >>> 2) + k]!;
    const f = decodeForm(w);
    const op = f === undefined ? OP_ILLEGAL : f.op;
    const e = hook === undefined ? semanticsOf(f) : hook(w, f, semanticsOf(f));
    words.push(w);
    ops.push(op);
    sems.push(e);
    if (endsBlock(op, e)) break;
  }
  const len = words.length;
  const pre = new Float64Array(len + 1);
  const memPrefix = new Int32Array(len + 1);
  for (let k = 0; k < len; k++) {
    const f = FORM_BY_OP[ops[k]!];
    pre[k + 1] = pre[k]! + (f === undefined ? 0 : cost.instruction[f.cls]);
    memPrefix[k + 1] = memPrefix[k]! + (dm === 1 && isFastMem(sems[k]!) ? 1 : 0);
  }
  return {
    vpc: vpc | 0, phys, dm, tm, len, words: Int32Array.from(words), ops: Uint8Array.from(ops), sems, pre, memPrefix,
    fast: undefined, checked: undefined, last: pre[len - 1]!,
    next0: undefined, next1: undefined, nextDyn: undefined, valid: true, runs: 0, sourceBytes: 0, region: undefined, regionIndex: -1, heat: 0, builds: 1,
  };
}

/** The typed-array view of RAM for each access size (the signed ones end in S). */
const VIEW = { 1: 'M8', 2: 'M16', 4: 'M32' } as const;

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;
/** An int32 literal (negative numbers parenthesised). */
const lit = (n: number) => ((n | 0) < 0 ? `(${n | 0})` : `${n | 0}`);

/** Guest registers a list of blocks reads or writes (x0 excluded), and those it writes. */
export function registerUse(blocks: readonly Pick<Block, 'len' | 'words' | 'ops'>[]): { used: number[]; written: number[] } {
  const used = new Set<number>();
  const written = new Set<number>();
  for (const b of blocks) {
    for (let k = 0; k < b.len; k++) {
      const w = b.words[k]!;
      const f = FORM_BY_OP[b.ops[k]!];
      const rd = field.rd(w);
      if (field.rs1(w) !== 0) used.add(field.rs1(w));
      if (field.rs2(w) !== 0) used.add(field.rs2(w));
      if (rd !== 0 && f !== undefined && f.format !== 'STORE' && f.format !== 'BRANCH') {
        used.add(rd);
        written.add(rd);
      }
    }
  }
  const sorted = (x: Set<number>) => [...x].sort((p, q) => p - q);
  return { used: sorted(used), written: sorted(written) };
}

/**
 * How the instructions of one block leave it: the single-block function returns to the
 * dispatcher, a region function (region.ts) goes on to the next block of its page.
 *
 * Accounting is done when a block starts: `n0`/`c0` keep the instructions left and the cycles at
 * its start (helpers get those), then `n` and `c` are advanced past the whole block, and the
 * taken-branch price is added with a select — so the exits themselves hold no arithmetic, and a
 * rarely taken exit has nothing V8 would deoptimize on for lack of type feedback.
 */
export interface BlockFrame {
  /** Test the interpreter's per-instruction exit condition before each instruction. */
  readonly checked: boolean;
  /** The expression naming the block object for helpers. */
  readonly bref: string;
  /** Guest registers held in locals (x0 excluded). */
  readonly used: ReadonlySet<number>;
  /** Writes the locals back to the register file (before a helper). */
  readonly sync: string;
  /** Statements run after a helper continued (reloads of state a helper may change). */
  readonly afterHelper: string;
  /** The block completed and goes to constant `t`; slot 0 taken, 1 fall-through. `CONTINUE`: on with the code that follows. */
  exit(t: number, slot: 0 | 1): string;
  /** The block completed with a jalr to the JS local `t` (aligned). */
  exitDyn(): string;
  /**
   * Out-of-line helpers (regions): instead of calling a helper in place, leave the function with
   * what it needs — instruction k goes through the general path (`slow`), a store at k wrote a
   * page holding code and the translations it held must be checked (`codeWrite`, its RAM offset
   * in `o` and size given), a jump at k to the misaligned JS expression faults (`jumpFault`).
   */
  readonly out?: {
    slow(k: number): string;
    codeWrite(k: number, size: number): string;
    jumpFault(k: number, target: string): string;
  };
}

/** An exit that goes on with the code emitted next (a region's loop laid out in line). */
export const CONTINUE = '/* on */';

/**
 * The statements of block `b`'s instructions, in `frame`. In scope: `h` (the context), `c` and `n`
 * (cycles and instructions left after the block, set by the block's prologue `blockPrologue`),
 * `c0` and `n0` (the same at its start), `e`, locals `x1..x31`, and the bindings of
 * `compileBlock`'s wrapper.
 */
export function emitBlockBody(b: Block, frame: BlockFrame, env: Pick<TranslationEnv, 'ramBase' | 'ramSize' | 'tlbMask'>, cost: CostModel): string[] {
  const L = b.len;
  const { used, sync, bref: B, checked } = frame;
  const R = (i: number) => (i === 0 ? '0' : `x${i}`);
  const set = (rd: number, expr: string) => (rd === 0 ? '' : `x${rd} = ${expr};`);
  const rb = env.ramBase | 0;
  const tb = cost.takenBranch;
  const total = b.pre[L]!;
  const out: string[] = [];
  const call = (expr: string) => `${sync} h.n = n0; e = ${expr};`;
  // The general path continues (returns 0) only after writing rd at most: a load, an atomic, a CSR
  // read; it may have moved the cycle count (walks, MMIO) and the next event.
  const slow = (k: number) => {
    if (frame.out !== undefined) return frame.out.slow(k);
    const rd = field.rd(b.words[k]!);
    return `${call(`S(h, ${B}, ${k}, c0, ${checked})`)} if (e !== 0) return e; c0 = h.c; c = c0 + ${total};${frame.afterHelper}${rd !== 0 && used.has(rd) ? ` x${rd} = r[${rd}];` : ''}`;
  };
  let ended = false;

  for (let k = 0; k < L; k++) {
    const w = b.words[k]!;
    const op = b.ops[k]!;
    const pc = (b.vpc + 4 * k) | 0;
    const form = FORM_BY_OP[op];
    const rd = field.rd(w);
    const rs1 = field.rs1(w);
    const rs2 = field.rs2(w);
    const im = form === undefined ? 0 : operandImmediate(form, w);
    const a = R(rs1);
    const bb = R(rs2);
    out.push(`// ${hex(pc)} ${form?.mnemonic ?? 'illegal'}`);
    if (checked) out.push(`if (n0 === ${k} || c0 + ${b.pre[k]} >= h.evt) { ${call(`X(h, ${B}, ${k}, c0)`)} return e; }`);
    const last = k === L - 1;
    const fallPc = (pc + 4) | 0;
    const addr = (off: number) => `const a = (${a} + ${lit(off)}) | 0;`;
    const memory = (size: 1 | 2 | 4, body: string, perm: number) => {
      const align = size === 1 ? '' : ` && (a & ${size - 1}) === 0`;
      if (b.dm === 0) {
        // The RAM offset straight from the register (exact in doubles, wrapped by >>> 0); RAM starts
        // aligned, so the offset's low bits are the address's. With RAM a power of two in size, one
        // mask tests range and alignment at once.
        // When RAM's base is a multiple of its (power-of-two) size, the offset is the address with
        // the base's bits flipped: int32 operations only, no double arithmetic.
        const pow2 = (env.ramSize & (env.ramSize - 1)) === 0 && (rb & 3) === 0;
        const xor = pow2 && (rb >>> 0) % env.ramSize === 0;
        const o = xor ? `const o = ${im === 0 ? a : `((${a} + ${lit(im)}) | 0)`} ^ ${lit(rb)};` : `const o = (${a} + ${lit(im - rb)}) >>> 0;`;
        const test = pow2 ? `(o & ${lit(~(env.ramSize - 1) | (size - 1))}) === 0` : `o <= ${env.ramSize - size}${size === 1 ? '' : ` && (o & ${size - 1}) === 0`}`;
        out.push(`{ ${o} if (${test}) { ${body} } else { ${slow(k)} } }`);
      } else if (b.dm === 1) {
        out.push(`{ ${addr(im)} const v = a >>> 12; const t = (v & ${env.tlbMask}) << 2;`,
          `if (TT[t] === v && (TT[t + 1] & ${perm}) !== 0${align}) { const o = TT[t + 2] + (a & 4095); ${body} } else { ${slow(k)} } }`);
      } else {
        out.push(`{ ${slow(k)} }`);
      }
    };
    const idx = (size: number) => (size === 1 ? 'o' : size === 2 ? 'o >>> 1' : 'o >>> 2');
    const loadOp = (size: 1 | 2 | 4, view: string) => memory(size, rd === 0 ? '' : set(rd, `${view}[${idx(size)}]`), FAST_READ);
    const storeOp = (size: 1 | 2 | 4, view: string) =>
      memory(size, `${view}[${idx(size)}] = ${bb}; ${frame.out !== undefined
        ? `if (CP[o >>> 12] !== 0 && W2(o, ${size})) { ${frame.out.codeWrite(k, size)} }`
        : `if (CP[o >>> 12] !== 0) { ${call(`W(h, ${B}, ${k}, c0, o, ${size})`)} if (e !== 0) return e; }`}`, FAST_WRITE);
    const jumpFault = (target: string) => (frame.out !== undefined ? frame.out.jumpFault(k, target) : `${call(`J(h, ${B}, ${k}, c0, ${target})`)} return e;`);
    const branch = (cond: string) => {
      const t = (pc + im) | 0;
      ended = true;
      if ((t & 3) !== 0) {
        // A taken branch to a misaligned target raises on the branch itself (unpriv 2.5: mepc the
        // branch, mtval the target), neither retired nor priced, as the interpreter does.
        const fall = frame.exit(fallPc, 1);
        out.push(`if (${cond}) { ${jumpFault(lit(t))} }`, fall === CONTINUE ? '' : fall);
        return;
      }
      const taken = frame.exit(t, 0);
      const fall = frame.exit(fallPc, 1);
      // A region's loop may go on with the taken side: then it is the not-taken side that leaves.
      if (taken === CONTINUE) out.push(`{ const tk = ${cond}; c += tk ? ${tb} : 0;`, `if (!tk) { ${fall} } }`);
      else out.push(`{ const tk = ${cond}; c += tk ? ${tb} : 0;`, `if (tk) { ${taken} }`, `${fall} }`);
    };
    const sem = b.sems[k]!;
    const known = knownOperands(form, w, pc);
    const names = { rs1: a, rs2: bb };
    switch (sem.kind) {
      case 'write':
        out.push(set(rd, jsValue(fold(sem.value, known), names)));
        break;
      case 'branch':
        branch(jsCondition(fold(sem.cond, known), names));
        break;
      case 'jump': {
        const target = fold(sem.target, known);
        if (target.k === 'const') {
          const t = target.v;
          if ((t & 3) !== 0) out.push(jumpFault(lit(t)));
          else out.push(set(rd, lit(fallPc)), `c += ${tb};`, frame.exit(t, 0));
        } else {
          // The target is computed before rd is written (rd may be rs1).
          out.push(`{ const t = ${jsValue(target, names)}; if ((t & 3) !== 0) { ${jumpFault('t')} }`,
            set(rd, lit(fallPc)), `c += ${tb};`, `${frame.exitDyn()} }`);
        }
        ended = true;
        break;
      }
      case 'load':
        loadOp(sem.size, VIEW[sem.size] + (sem.signed && sem.size < 4 ? 'S' : ''));
        break;
      case 'store':
        storeOp(sem.size, VIEW[sem.size]);
        break;
      case 'none': // fence: one hart, coherent memory (the interpreter does nothing either)
        break;
      default:
        // CSRs, system, fence.i, atomics, illegal words: cpu-core's general path; callouts.
        out.push(slow(k));
        break;
    }
    if (last && !ended) out.push(frame.exit(fallPc, 1));
  }
  return out;
}

/**
 * A block's start: remember where it starts (unless the frame works it out only when leaving),
 * then count it as run whole (a partial run is corrected by the helper that ends it).
 */
export function blockPrologue(b: Block, counter: string, keepStart = true): string {
  return `${keepStart ? 'n0 = n; c0 = c; ' : ''}n -= ${b.len}; c += ${b.pre[b.len]!}; ${counter}`;
}

/** Does a control transfer to `t` from a block at `vpc` stay in the fetch page (and is it aligned)? */
export function inPage(vpc: number, t: number): boolean {
  return ((t ^ vpc) >>> 12) === 0 && (t & 3) === 0;
}

/**
 * The body of a single block's function (`h` the context, `B` the block; the names `r`, `M8`, ...
 * are bound by `compileBlock`'s wrapper). Exits return to the dispatcher with the chain slot to
 * follow; a block that branches to itself loops while the next run fits.
 */
export function generateBlockSource(b: Block, env: Pick<TranslationEnv, 'ramBase' | 'ramSize' | 'tlbMask'>, cost: CostModel, checked: boolean): string {
  const L = b.len;
  const { used, written } = registerUse([b]);
  const load = used.map((i) => `x${i} = r[${i}];`).join(' ');
  const sync = written.map((i) => `r[${i}] = x${i};`).join(' ');
  const selfLoop = !checked;
  const frame: BlockFrame = {
    checked,
    bref: 'B',
    used: new Set(used),
    sync,
    afterHelper: '',
    exit(t, slot) {
      if (selfLoop && t === b.vpc) return `{ if (n >= ${L} && c + ${b.last} < h.evt) continue; ${sync} h.n = n; h.c = c; h.pc = ${lit(t)}; return 0; }`;
      return `{ ${sync} h.n = n; h.c = c; h.pc = ${lit(t)}; return ${inPage(b.vpc, t) ? slot : (t & 3) === 0 ? EXIT_PAGE : EXIT_OUTER}; }`;
    },
    exitDyn() {
      return `${sync} h.n = n; h.c = c; h.pc = t; return ((t ^ ${lit(b.vpc & ~0xfff)}) >>> 12) === 0 ? 2 : ${EXIT_PAGE};`;
    },
  };
  const out = [`let c = h.c, n = h.n, c0 = 0, n0 = 0, e = 0;${used.length > 0 ? ` let ${used.map((i) => `x${i} = 0`).join(', ')}; ${load}` : ''}`];
  if (selfLoop) out.push('for (;;) {');
  out.push(blockPrologue(b, 'B.runs++;'));
  out.push(...emitBlockBody(b, frame, env, cost));
  if (selfLoop) out.push('}');
  return out.join('\n');
}

/** Compiles a block's source into a function bound to `env` and the block itself. */
export function compileBlock(source: string, env: TranslationEnv, block: Block): BlockFn {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the translator's whole point: generated code, compiled once
  const factory = new Function('E', 'B', `"use strict";
const r = E.r, M8 = E.ram8, M8S = E.ram8s, M16 = E.ram16, M16S = E.ram16s, M32 = E.ram32, CP = E.codePages;
const TT = E.tlbTable, S = E.slow, W = E.codeWrite, X = E.exitAt, J = E.jumpFault, MULHU = E.mulhu;
return function block(h) {
${source}
};`) as (env: TranslationEnv, block: Block) => BlockFn;
  return factory(env, block);
}

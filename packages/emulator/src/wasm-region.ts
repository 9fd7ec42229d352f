/**
 * The WebAssembly back end of regions: the same hot code a JavaScript region holds (region.ts),
 * compiled to one wasm function over guest RAM held in a `WebAssembly.Memory`, for code whose
 * loads and stores go straight to physical RAM (data mode 0: M-mode, or satp off with PMP granting
 * all of RAM). Wasm gives what the JavaScript regions lack: int32 arithmetic without type feedback,
 * no deoptimization, a compile time proportional to the code, and 64-bit multiplies for mulh*.
 *
 * The region keeps its JavaScript twin's semantics block for block — the dispatcher's fit test
 * before each block (or once per turn of a loop laid out in line), a block counted as run whole
 * when it starts, the taken-branch price on the path taken, everything rare (the general path, a
 * store to a page holding translations, a misaligned jump) leaving the function out of line and
 * settled by the engine exactly as for a JavaScript region. Bookkeeping is int32 in wasm locals:
 * cycles as `sp` above the cycle count at entry, tested against `lim` (the distance to the next
 * event, clamped), instructions left `n`; each block's run counter is an int32 in the region's
 * slot (in locals they made every dispatch carry them, and TurboFan's compile time grow with them);
 * a loop laid out in line is charged per turn at its header, with one trip counter for all its
 * members, and gives back what its later members did not run when it is left mid-turn.
 *
 * Memory layout (`WasmRam`): RAM at offset 0 (hw-model's RAM buffer is the memory's), then the
 * registers, the out-values of a call, the translation cache's per-page code counts and per-word
 * code bits (the store test), and the slots of live regions (run counters, the jalr map and block pcs).
 */
import { FORM_BY_OP, field, fold, isTotal, operandImmediate } from '@virtlab/cpu-core';
import type { BinaryOperator, Expr } from '@virtlab/cpu-core';
import type { CostModel } from '@virtlab/hw-model';
import { OUT_JUMP, OUT_SLOW, OUT_WRITE, findCycle, regionMap, successors, turnFit } from './region.js';
import { EXIT_LOOKUP, EXIT_OUTER, EXIT_PAGE, EXIT_SINGLE, inPage, knownOperands, registerUse } from './translator.js';
import type { Block } from './translator.js';
import { I32, OP, WasmCode, WasmEncoderError, wasmApi, wasmModule } from './wasm-encoder.js';
import type { WasmMemory } from './wasm-encoder.js';

/** The wasm opcode of each operator of cpu-core's expression language but `mulhu` (which takes an i64 multiply). */
const WASM_OPERATOR: Readonly<Record<Exclude<BinaryOperator, 'mulhu'>, number>> = {
  add: OP.i32Add, sub: OP.i32Sub, and: OP.i32And, or: OP.i32Or, xor: OP.i32Xor,
  shl: OP.i32Shl, shr_u: OP.i32ShrU, shr_s: OP.i32ShrS, // wasm takes the shift amount mod 32, as RV32 does
  eq: OP.i32Eq, ne: OP.i32Ne, lt_s: OP.i32LtS, lt_u: OP.i32LtU, ge_s: OP.i32GeS, ge_u: OP.i32GeU,
  mul: OP.i32Mul, div_s: OP.i32DivS, div_u: OP.i32DivU, rem_s: OP.i32RemS, rem_u: OP.i32RemU,
};

/**
 * Pushes the value of `e` (folded: only register operands left, which `reg` pushes) — cpu-core's
 * semantics of a form rendered as wasm. A conditional whose arms cannot trap is a `select`; one
 * that guards a division is an `if` with a result, so the division runs only where it is defined.
 */
export function emitExpr(w: WasmCode, e: Expr, reg: (operand: 'rs1' | 'rs2') => void): void {
  switch (e.k) {
    case 'const':
      w.i32(e.v);
      return;
    case 'operand':
      if (e.o !== 'rs1' && e.o !== 'rs2') throw new WasmEncoderError(`emitExpr: operand ${e.o} not folded`);
      reg(e.o);
      return;
    case 'if':
      if (isTotal(e.t) && isTotal(e.f)) {
        emitExpr(w, e.t, reg);
        emitExpr(w, e.f, reg);
        emitExpr(w, e.c, reg);
        w.op(OP.select);
      } else {
        emitExpr(w, e.c, reg);
        w.open(OP.if, undefined, I32);
        emitExpr(w, e.t, reg);
        w.else();
        emitExpr(w, e.f, reg);
        w.close();
      }
      return;
    case 'bin':
      if (e.op === 'eq' && e.b.k === 'const' && e.b.v === 0) {
        emitExpr(w, e.a, reg);
        w.op(OP.i32Eqz);
        return;
      }
      emitExpr(w, e.a, reg);
      if (e.op === 'mulhu') w.op(OP.i64ExtendI32U);
      emitExpr(w, e.b, reg);
      if (e.op === 'mulhu') w.op(OP.i64ExtendI32U, OP.i64Mul).op(0x42, 32).op(OP.i64ShrU, OP.i32WrapI64); // i64.const 32
      else w.op(WASM_OPERATOR[e.op]);
  }
}

/** Bytes of memory a region's slot takes for `blocks` blocks: counters (i32, per block and per loop header), pcs (i32), the jalr map (1024 i16). */
export const slotBytes = (blocks: number): number => ((8 * blocks + 8 + 4 * blocks + 2048 + 7) & ~7);

/** Largest `lim` passed to a region: far below int32 overflow of `sp + cost`. */
export const LIM_MAX = 0x3fffffff;

/** Bytes for the slots of live regions (reset when the translation cache is flushed). */
const SLOT_AREA = 8 * 1024 * 1024;

/**
 * Guest RAM and the wasm back end's state in one `WebAssembly.Memory`. Pass `buffer` to the
 * board as its `ramBuffer`, and the `WasmRam` to the translator (DbtOptions.wasmRam).
 */
export class WasmRam {
  readonly memory: WasmMemory;
  readonly buffer: ArrayBuffer;
  /** Offsets in the memory. */
  readonly regsOff: number;
  readonly outOff: number;
  readonly codePagesOff: number;
  readonly codeBitsOff: number;
  readonly slotsOff: number;
  readonly slotsEnd: number;
  /** Registers x0..x31 as the region functions read and leave them. */
  readonly regs: Int32Array;
  /** A call's out-values: sp, n, P (next pc / write offset / jump target), K (instruction), i (block). */
  readonly out: Int32Array;
  /** The translation cache's per-page code counts, in the memory (TranslationCache codePages). */
  readonly codePages: Int32Array;
  /** ... and its bit per RAM word some translation was made from. */
  readonly codeBits: Int32Array;
  #next: number;

  constructor(readonly ramSize: number) {
    if (!Number.isSafeInteger(ramSize) || ramSize <= 0 || ramSize % 4096 !== 0 || ramSize > 2 ** 31) {
      throw new RangeError(`WasmRam: RAM size ${ramSize} must be a positive multiple of 4096, at most 2 GiB`);
    }
    this.regsOff = ramSize;
    this.outOff = ramSize + 256;
    this.codePagesOff = ramSize + 512;
    this.codeBitsOff = this.codePagesOff + (ramSize >>> 12) * 4;
    this.slotsOff = this.codeBitsOff + (ramSize >>> 5);
    this.slotsEnd = this.slotsOff + SLOT_AREA;
    const pages = Math.ceil(this.slotsEnd / 65536);
    if (wasmApi === undefined) throw new WasmEncoderError('WasmRam: this host has no WebAssembly');
    this.memory = new wasmApi.Memory({ initial: pages, maximum: pages });
    this.buffer = this.memory.buffer;
    this.regs = new Int32Array(this.buffer, this.regsOff, 32);
    this.out = new Int32Array(this.buffer, this.outOff, 8);
    this.codePages = new Int32Array(this.buffer, this.codePagesOff, ramSize >>> 12);
    this.codeBits = new Int32Array(this.buffer, this.codeBitsOff, ramSize >>> 7);
    this.#next = this.slotsOff;
  }

  /** Memory for a region of `blocks` blocks, or -1 when the slot area is full (until the next `reset`). */
  allocSlot(blocks: number): number {
    const size = slotBytes(blocks);
    if (this.#next + size > this.slotsEnd) return -1;
    const at = this.#next;
    this.#next += size;
    new Uint8Array(this.buffer, at, size).fill(0);
    return at;
  }

  /** Every region is gone (the translation cache was flushed). */
  reset(): void {
    this.#next = this.slotsOff;
  }
}

/** Where a region's slot keeps its parts. */
export function slotLayout(at: number, blocks: number): { rc: number; pcs: number; map: number } {
  const rc = at;
  const pcs = at + 8 * blocks + 8; // a word before the pcs stays readable for the map's -1
  return { rc, pcs, map: pcs + 4 * blocks };
}

// Locals: parameters i, n, lim; then the scratch locals; then x1..x31.
const L_I = 0;
const L_N = 1;
const L_LIM = 2;
const L_SP = 3;
const L_E = 4;
const L_P = 5;
const L_K = 6;
const L_T = 7;
const L_Q = 8;
const L_O = 10;
const L_X0 = 10; // x1 is local 11
const L_LOCALS = 42;

/** A region's module, and the loops laid out in line (by header index) whose trip counters stand for their members. */
export interface WasmRegionCode {
  readonly bytes: Uint8Array;
  readonly loops: readonly (readonly number[] | undefined)[];
}

/**
 * The module of a region over `blocks` (data mode 0, fetch mode 0) whose slot starts at `slot`.
 * Its function `f(i, n, lim)` runs from block `i` with `n` instructions left and `lim` cycles to
 * the next event, and returns an EXIT_* / OUT_* code with sp, n, P, K, i in `ram.out`.
 */
export function generateWasmRegion(blocks: readonly Block[], ram: WasmRam, slot: number, ramBase: number, cost: CostModel): WasmRegionCode {
  const { used, written } = registerUse(blocks);
  const byPc = new Map<number, number>();
  blocks.forEach((b, j) => byPc.set(b.vpc, j));
  const lay = slotLayout(slot, blocks.length);
  const tb = cost.takenBranch;
  const rb = ramBase | 0;
  const ramSize = ram.ramSize;
  const pow2 = (ramSize & (ramSize - 1)) === 0 && (rb & 3) === 0;
  const xor = pow2 && (rb >>> 0) % ramSize === 0;
  const pageOf = (x: number) => x & ~0xfff;
  // Successors within the region, worked out once (the loop search asks for them many times).
  const succ = blocks.map((b) => successors(b).map((t) => ((t & 3) === 0 ? byPc.get(t) ?? -1 : -1)).filter((q) => q >= 0));
  const plainSuccessors = (b: Block): number[] => succ[byPc.get(b.vpc)!]!.slice();
  const cycles = blocks.map((_, j) => {
    const cycle = findCycle(j, plainSuccessors, blocks);
    return cycle !== undefined && cycle.every((m) => m >= j) ? cycle : undefined;
  });

  const w = new WasmCode();
  const X = (i: number) => L_X0 + i;
  const reg = (i: number) => (i === 0 ? w.i32(0) : w.get(X(i)));
  for (const i of used) w.i32(0).mem(OP.i32Load, 2, ram.regsOff + 4 * i).set(X(i));

  w.open(OP.block, 'out');
  w.open(OP.loop, 'disp');
  const N = blocks.length;
  w.open(OP.block, 'default');
  for (let j = N - 1; j >= 0; j--) w.open(OP.block, `b${j}`);
  w.get(L_I).brTable(blocks.map((_, j) => `b${j}`), 'default');

  for (let j = 0; j < N; j++) {
    w.close(); // end of block b{j}: case j starts here
    const cycle = cycles[j];
    const members = cycle ?? [j];
    if (cycle !== undefined) w.open(OP.block, `B${j}`).open(OP.loop, `L${j}`);
    /**
     * A side block of the loop: not a member, small, and going straight back to the header (the
     * other arm of an if/else in the loop body). It is emitted in line where a member goes to it,
     * as a block of its own (its own fit test and counts), and goes on with the next turn.
     */
    const isSide = (q: number): boolean => {
      if (cycle === undefined || members.includes(q)) return false;
      const x = blocks[q]!;
      const succ = successors(x);
      return x.len <= 16 && succ.length === 1 && succ[0] === blocks[j]!.vpc;
    };
    /** Block m: member `pos` of the loop, the block alone (no loop), or a side block of the loop (`side`). */
    const emitMember = (m: number, pos: number, side: boolean): void => {
      const b = blocks[m]!;
      const vp = pageOf(b.vpc);
      const lastInCase = !side && pos === members.length - 1;
      // A loop's turn is charged whole at its header (instructions, cycles, one trip count for
      // every member); leaving it from member `pos` gives back what the members after it did not run.
      const later = cycle === undefined || side ? [] : members.slice(pos + 1);
      let charged = false;
      const giveBack = () => {
        if (!charged || later.length === 0) return;
        let insns = 0;
        let cyc = 0;
        for (const q of later) {
          insns += blocks[q]!.len;
          cyc += blocks[q]!.pre[blocks[q]!.len]!;
          w.i32(0).i32(0).mem(OP.i32Load, 2, lay.rc + 4 * q).i32(1).op(OP.i32Sub).mem(OP.i32Store, 2, lay.rc + 4 * q);
        }
        w.get(L_N).i32(insns).op(OP.i32Add).set(L_N);
        w.get(L_SP).i32(cyc).op(OP.i32Sub).set(L_SP);
      };
      /** Leave the function: next pc in P (from `setP`), exit code `code`. */
      const leave = (setP: () => void, code: number | (() => void)) => {
        giveBack();
        w.i32(m).set(L_I);
        setP();
        w.set(L_P);
        if (typeof code === 'number') w.i32(code);
        else code();
        w.set(L_E).br('out');
      };
      /** The block completed and goes to constant `t`; slot 1 is the fall-through. Emits nothing when the code that follows is where it goes. */
      const exit = (t: number, slot: 0 | 1): void => {
        const q = (t & 3) === 0 ? byPc.get(t) ?? -1 : -1;
        if (cycle !== undefined && side) {
          if (q === j) {
            w.br(`L${j}`);
            return;
          }
        } else if (cycle !== undefined) {
          if (!lastInCase && q === members[pos + 1]) return;
          if (lastInCase && q === j) {
            w.br(`L${j}`);
            return;
          }
          if (q >= 0 && isSide(q)) {
            giveBack();
            emitMember(q, -1, true);
            return;
          }
        }
        if (q >= 0) {
          if (slot === 1 && lastInCase && q === j + 1) {
            if (cycle !== undefined) w.br(`B${j}`);
            return; // into the next case
          }
          giveBack();
          w.i32(q).set(L_I).br('disp');
          return;
        }
        leave(() => w.i32(t), inPage(b.vpc, t) ? EXIT_LOOKUP : (t & 3) === 0 ? EXIT_PAGE : EXIT_OUTER);
      };
      const goesOn = (t: number): boolean => {
        if (cycle === undefined || side) return false;
        const q = (t & 3) === 0 ? byPc.get(t) ?? -1 : -1;
        return !lastInCase && q === members[pos + 1];
      };
      /** The block completed with a jalr to local T (aligned). */
      const exitDyn = () => {
        // q = MAP[(t >>> 2) & 1023]; if (q >= 0 && PCS[q] === t) go to q
        w.get(L_T).i32(2).op(OP.i32ShrU).i32(1023).op(OP.i32And).i32(1).op(OP.i32Shl).mem(OP.i32Load16S, 1, lay.map).tee(L_Q);
        w.i32(0).op(OP.i32GeS);
        // (q + 1) << 2 over the word before the pcs: a -1 reads that word, not below address 0.
        w.get(L_Q).i32(1).op(OP.i32Add).i32(2).op(OP.i32Shl).mem(OP.i32Load, 2, lay.pcs - 4).get(L_T).op(OP.i32Eq).op(OP.i32And);
        w.open(OP.if);
        giveBack();
        w.get(L_Q).set(L_I).br('disp').close();
        leave(() => w.get(L_T), () => {
          w.i32(EXIT_LOOKUP).i32(EXIT_PAGE).get(L_T).i32(vp | 0).op(OP.i32Xor).i32(12).op(OP.i32ShrU).op(OP.i32Eqz).op(OP.select);
        });
      };
      const outExit = (k: number, code: number, setP?: () => void) => {
        giveBack();
        w.i32(m).set(L_I).i32(k).set(L_K);
        if (setP !== undefined) setP();
        w.i32(code).set(L_E).br('out');
      };
      /** Leaves with `code` unless `insns` instructions are left and `reach` cycles stay before the event (two branches, no flags arithmetic). */
      const fit = (insns: number, reach: number, code: number) => {
        w.open(OP.block, 'fit').open(OP.block, 'unfit');
        w.get(L_N).i32(insns).op(OP.i32LtS).brIf('unfit');
        w.get(L_SP).i32(reach).op(OP.i32Add).get(L_LIM).op(OP.i32LtS).brIf('fit');
        w.close();
        leave(() => w.i32(b.vpc), code);
        w.close();
      };
      if (cycle === undefined || side) fit(b.len, b.last, EXIT_LOOKUP);
      else if (pos === 0) {
        const { insns, reach } = turnFit(members, blocks, tb);
        fit(insns, reach, EXIT_SINGLE);
        // The whole turn, counted as run (the trip counter of header j stands for every member).
        let tot = 0;
        for (const q of members) tot += blocks[q]!.pre[blocks[q]!.len]!;
        w.get(L_N).i32(insns).op(OP.i32Sub).set(L_N);
        w.get(L_SP).i32(tot).op(OP.i32Add).set(L_SP);
        w.i32(0).i32(0).mem(OP.i32Load, 2, lay.rc + 4 * (N + j)).i32(1).op(OP.i32Add).mem(OP.i32Store, 2, lay.rc + 4 * (N + j));
      }
      if (cycle === undefined || side) {
        // Prologue: counted as run whole.
        w.get(L_N).i32(b.len).op(OP.i32Sub).set(L_N);
        w.get(L_SP).i32(b.pre[b.len]!).op(OP.i32Add).set(L_SP);
        w.i32(0).i32(0).mem(OP.i32Load, 2, lay.rc + 4 * m).i32(1).op(OP.i32Add).mem(OP.i32Store, 2, lay.rc + 4 * m);
      }
      charged = true;

      let ended = false;
      for (let k = 0; k < b.len; k++) {
        const word = b.words[k]!;
        const op = b.ops[k]!;
        const pc = (b.vpc + 4 * k) | 0;
        const form = FORM_BY_OP[op];
        const rd = field.rd(word);
        const rs1 = field.rs1(word);
        const rs2 = field.rs2(word);
        const im = form === undefined ? 0 : operandImmediate(form, word);
        const fallPc = (pc + 4) | 0;
        const last = k === b.len - 1;
        const setRd = (value: () => void) => {
          if (rd === 0) return;
          value();
          w.set(X(rd));
        };
        const jumpFault = (setP: () => void) => outExit(k, OUT_JUMP, () => {
          setP();
          w.set(L_P);
        });
        /** The RAM offset of rs1 + im in local O; leaves through the general path when not a RAM access of `size`. */
        const address = (size: 1 | 2 | 4) => {
          reg(rs1);
          if (xor) {
            if (im !== 0) w.i32(im).op(OP.i32Add);
            w.i32(rb).op(OP.i32Xor).tee(L_O).i32(~(ramSize - 1) | (size - 1)).op(OP.i32And);
          } else {
            w.i32((im - rb) | 0).op(OP.i32Add).tee(L_O);
            if (pow2) w.i32(~(ramSize - 1) | (size - 1)).op(OP.i32And);
            else {
              w.i32(ramSize - size).op(OP.i32GtU);
              if (size > 1) w.get(L_O).i32(size - 1).op(OP.i32And).op(OP.i32Or);
            }
          }
          w.open(OP.if);
          outExit(k, OUT_SLOW);
          w.close();
        };
        const load = (size: 1 | 2 | 4, code: number) => {
          address(size);
          if (rd !== 0) w.get(L_O).mem(code, size === 1 ? 0 : size === 2 ? 1 : 2, 0).set(X(rd));
        };
        const store = (size: 1 | 2 | 4, code: number) => {
          address(size);
          w.get(L_O);
          reg(rs2);
          w.mem(code, size === 1 ? 0 : size === 2 ? 1 : 2, 0);
          // A page holding translations, and the word written is one of theirs (aligned stores
          // write one word): leave, the engine drops what the store overwrote.
          w.get(L_O).i32(12).op(OP.i32ShrU).i32(2).op(OP.i32Shl).mem(OP.i32Load, 2, ram.codePagesOff);
          w.open(OP.if);
          w.get(L_O).i32(5).op(OP.i32ShrU).i32(-4).op(OP.i32And).mem(OP.i32Load, 2, ram.codeBitsOff);
          w.get(L_O).i32(2).op(OP.i32ShrU).op(OP.i32ShrU).i32(1).op(OP.i32And);
          w.open(OP.if);
          outExit(k, OUT_WRITE, () => w.get(L_O).set(L_P));
          w.close();
          w.close();
        };
        const branch = (cond: () => void) => {
          const t = (pc + im) | 0;
          ended = true;
          cond();
          if ((t & 3) !== 0) {
            w.open(OP.if);
            jumpFault(() => w.i32(t));
            w.close();
            exit(fallPc, 1);
            return;
          }
          // The taken-branch price on the taken path only.
          w.open(OP.if).get(L_SP).i32(tb).op(OP.i32Add).set(L_SP);
          if (goesOn(t)) {
            w.else();
            exit(fallPc, 1);
            w.close();
          } else {
            exit(t, 0);
            w.close();
            exit(fallPc, 1);
          }
        };
        const known = knownOperands(form, word, pc);
        const value = (e: Expr) => emitExpr(w, fold(e, known), (o) => reg(o === 'rs1' ? rs1 : rs2));
        const sem = b.sems[k]!;
        switch (sem.kind) {
          case 'write':
            setRd(() => value(sem.value));
            break;
          case 'branch':
            branch(() => value(sem.cond));
            break;
          case 'jump': {
            const target = fold(sem.target, known);
            if (target.k === 'const') {
              const t = target.v;
              if ((t & 3) !== 0) jumpFault(() => w.i32(t));
              else {
                setRd(() => w.i32(fallPc));
                w.get(L_SP).i32(tb).op(OP.i32Add).set(L_SP);
                exit(t, 0);
              }
            } else {
              // The target is computed before rd is written (rd may be rs1).
              value(target);
              w.tee(L_T).i32(3).op(OP.i32And);
              w.open(OP.if);
              jumpFault(() => w.get(L_T));
              w.close();
              setRd(() => w.i32(fallPc));
              w.get(L_SP).i32(tb).op(OP.i32Add).set(L_SP);
              exitDyn();
            }
            ended = true;
            break;
          }
          case 'load':
            load(sem.size, sem.size === 4 ? OP.i32Load : sem.size === 2 ? (sem.signed ? OP.i32Load16S : OP.i32Load16U) : sem.signed ? OP.i32Load8S : OP.i32Load8U);
            break;
          case 'store':
            store(sem.size, sem.size === 4 ? OP.i32Store : sem.size === 2 ? OP.i32Store16 : OP.i32Store8);
            break;
          case 'none': // fence
            break;
          default:
            // CSRs, system, fence.i, atomics, illegal words, callouts: cpu-core's general path, outside.
            outExit(k, OUT_SLOW);
            ended = true;
            break;
        }
        if (ended) break;
        if (last) exit(fallPc, 1);
      }
    };
    members.forEach((m, pos) => emitMember(m, pos, false));
    if (cycle !== undefined) w.close().close();
  }
  w.close(); // default
  w.op(OP.unreachable);
  w.close(); // disp
  w.close(); // out

  // Epilogue: registers and out-values to memory.
  for (const i of written) w.i32(0).get(X(i)).mem(OP.i32Store, 2, ram.regsOff + 4 * i);
  [L_SP, L_N, L_P, L_K, L_I].forEach((l, s) => w.i32(0).get(l).mem(OP.i32Store, 2, ram.outOff + 4 * s));
  w.get(L_E);
  return { bytes: wasmModule(3, L_LOCALS - 3, w), loops: cycles };
}

/**
 * Fills a region's slot with its jalr map and block pcs; returns its run counters (int32, from
 * zero: the engine moves them into the region's own counts often enough that they cannot wrap):
 * one per block, then one trip counter per block that heads a loop laid out in line.
 */
export function fillSlot(ram: WasmRam, slot: number, blocks: readonly Block[]): Int32Array {
  const lay = slotLayout(slot, blocks.length);
  new Int32Array(ram.buffer, lay.pcs, blocks.length).set(blocks.map((b) => b.vpc | 0));
  new Int16Array(ram.buffer, lay.map, 1024).set(regionMap(blocks));
  return new Int32Array(ram.buffer, lay.rc, 2 * blocks.length);
}

/** Moves a wasm region's counters into its run counts `rc` (each loop's trips to every member). */
export function settleRuns(runs: Int32Array, rc: Float64Array, loops: readonly (readonly number[] | undefined)[]): void {
  const n = rc.length;
  for (let j = 0; j < n; j++) {
    const x = runs[j]!;
    if (x !== 0) {
      rc[j] = rc[j]! + x;
      runs[j] = 0;
    }
    const loop = loops[j];
    if (loop === undefined) continue;
    const t = runs[n + j]!;
    if (t === 0) continue;
    for (const q of loop) rc[q] = rc[q]! + t;
    runs[n + j] = 0;
  }
}

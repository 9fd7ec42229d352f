import { Op } from './code.js';

/**
 * Liveness of a function's locals over the internal code (code.ts), for the JavaScript tier's
 * spills: when fuel runs out, a compiled frame hands its locals to the interpreter, which resumes
 * at a known pc. A local that every path from there writes before it reads is dead: its value
 * cannot matter, so the spill need not carry it — and V8 need not keep it alive across every loop
 * header and call of the function just for that (which is what costs: register pressure, larger
 * frames, slower compiles).
 *
 * Locals are read and written only by MOV (local.get is a MOV from the local's slot, local.set and
 * local.tee MOVs to it); the frame's other slots are the operand stack, which a spill always carries.
 */

/** Words of an instruction at `pc` (the layouts of code.ts). */
export function opSize(code: Int32Array, pc: number): number {
  const op = code[pc] as number;
  switch (op) {
    case Op.UNREACHABLE:
      return 1;
    case Op.JMP:
    case Op.MEMORY_SIZE:
    case Op.MEMORY_GROW:
    case Op.MEMORY_FILL:
    case Op.MEMORY_COPY:
    case Op.DATA_DROP:
    case Op.ELEM_DROP:
    case Op.REF_IS_NULL:
      return 2;
    case Op.FUEL:
    case Op.FUEL_CHECK:
    case Op.BR_IF:
    case Op.IF:
    case Op.RETURN:
    case Op.CONST32:
    case Op.SELECT:
    case Op.RETURN_CALL:
    case Op.MEMORY_INIT:
    case Op.TABLE_GET:
    case Op.TABLE_SET:
    case Op.TABLE_SIZE:
    case Op.TABLE_GROW:
    case Op.TABLE_FILL:
    case Op.REF_FUNC:
      return 3;
    case Op.CALL:
    case Op.MOV:
    case Op.GLOBAL_GET:
    case Op.GLOBAL_SET:
    case Op.GLOBAL_GET_REF:
    case Op.GLOBAL_SET_REF:
    case Op.TABLE_COPY:
    case Op.TABLE_INIT:
      return 4;
    case Op.BR:
    case Op.CONST64:
    case Op.RETURN_CALL_INDIRECT:
      return 5;
    case Op.BR_IF_MOVE:
    case Op.CALL_INDIRECT:
      return 6;
    case Op.BR_TABLE:
      return 3 + 4 * ((code[pc + 2] as number) + 1);
    default:
      // Loads and stores [op, t, memoffset]; numeric ops [op, t].
      return op >= 0x28 && op <= 0x3e ? 3 : 2;
  }
}

/** Branch targets of the instruction at `pc` and whether it can fall through to the next one. */
function flowOf(code: Int32Array, pc: number): { targets: number[]; falls: boolean } {
  switch (code[pc] as number) {
    case Op.JMP:
    case Op.BR:
      return { targets: [code[pc + 1] as number], falls: false };
    case Op.BR_IF:
    case Op.BR_IF_MOVE:
    case Op.IF:
      return { targets: [code[pc + 2] as number], falls: true };
    case Op.BR_TABLE: {
      const n = code[pc + 2] as number;
      const targets: number[] = [];
      for (let i = 0; i <= n; i++) targets.push(code[pc + 3 + 4 * i] as number);
      return { targets, falls: false };
    }
    case Op.RETURN:
    case Op.UNREACHABLE:
    case Op.RETURN_CALL:
    case Op.RETURN_CALL_INDIRECT:
      return { targets: [], falls: false };
    default:
      return { targets: [], falls: true };
  }
}

/** The analysis is skipped (every local counts as live) above this many bitset words. */
const MAX_WORDS = 1 << 20;

/**
 * Which locals are live at each of `points` (pcs in [entry, end)), as a predicate; undefined when
 * the function is too large to analyse within the bound (then every local is to be kept).
 */
export function liveLocalsAt(
  code: Int32Array,
  entry: number,
  end: number,
  nLocals: number,
  points: readonly number[],
): ((pc: number, local: number) => boolean) | undefined {
  const words = (nLocals + 31) >> 5;
  if (words === 0) return () => false;
  // Basic blocks: leaders are the entry, branch targets, what follows a branch, and the points asked about.
  const leader = new Set<number>([entry, ...points]);
  const pcs: number[] = [];
  for (let pc = entry; pc < end; pc += opSize(code, pc)) {
    pcs.push(pc);
    const { targets, falls } = flowOf(code, pc);
    if (targets.length > 0 || !falls) {
      for (const t of targets) leader.add(t);
      leader.add(pc + opSize(code, pc));
    }
  }
  const starts = pcs.filter((pc) => leader.has(pc));
  const nBlocks = starts.length;
  if (nBlocks * words * 3 > MAX_WORDS) return undefined;
  const blockOf = new Map<number, number>();
  starts.forEach((pc, b) => blockOf.set(pc, b));
  const gen = new Int32Array(nBlocks * words);
  const kill = new Int32Array(nBlocks * words);
  const succs: number[][] = [];
  let b = -1;
  // Forward scan per block: a read before any write in the block is upward-exposed (gen).
  for (let i = 0; i < pcs.length; i++) {
    const pc = pcs[i] as number;
    if (leader.has(pc)) b++;
    if (code[pc] === Op.MOV) {
      const dst = code[pc + 1] as number;
      const src = code[pc + 2] as number;
      if (src < 2 * nLocals) {
        const k = src >> 1;
        const w = b * words + (k >> 5);
        const bit = 1 << (k & 31);
        if (((kill[w] as number) & bit) === 0) gen[w] = (gen[w] as number) | bit;
      }
      if (dst < 2 * nLocals) {
        const k = dst >> 1;
        const w = b * words + (k >> 5);
        kill[w] = (kill[w] as number) | (1 << (k & 31));
      }
    }
    const next = pcs[i + 1];
    if (next === undefined || leader.has(next)) {
      const { targets, falls } = flowOf(code, pc);
      const out: number[] = [];
      for (const t of targets) {
        const tb = blockOf.get(t);
        if (tb !== undefined) out.push(tb);
      }
      if (falls && next !== undefined) out.push(b + 1);
      succs.push(out);
    }
  }
  // Backward dataflow to a fixpoint: in = gen | (out & ~kill), out = union of the successors' in.
  const live = new Int32Array(nBlocks * words);
  for (let changed = true; changed; ) {
    changed = false;
    for (let x = nBlocks - 1; x >= 0; x--) {
      const base = x * words;
      for (let w = 0; w < words; w++) {
        let out = 0;
        for (const s of succs[x] as number[]) out |= live[s * words + w] as number;
        const v = (gen[base + w] as number) | (out & ~(kill[base + w] as number));
        if (v !== live[base + w]) {
          live[base + w] = v;
          changed = true;
        }
      }
    }
  }
  return (pc, local) => {
    const x = blockOf.get(pc);
    if (x === undefined) return true;
    return ((live[x * words + (local >> 5)] as number) & (1 << (local & 31))) !== 0;
  };
}

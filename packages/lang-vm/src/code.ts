/**
 * The compact internal form (one Int32Array per module) that the validator emits and the
 * interpreter and the JavaScript tier run. Every operand is a word offset from the frame pointer:
 * stack heights are static (spec 3.3), so no instruction moves a stack pointer at run time.
 * A value occupies two 32-bit words (i64 and f64 need both; i32, f32 bits and references use the
 * first). Layouts, `t` being the offset of the first operand, which is also where the result goes:
 *
 * - numeric ops keep their wasm opcode (0x45..0xc4), saturating truncations are 0xc5..0xcc: `[op, t]`
 * - loads 0x28..0x35 and stores 0x36..0x3e: `[op, t, memoffset]` (f32 uses the i32 forms: raw bits)
 * - memory.size 0x3f `[op, dst]`, memory.grow 0x40 `[op, t]`
 * - the rest are numbered from 0x100 below.
 */
export const Op = {
  MEMORY_SIZE: 0x3f,
  MEMORY_GROW: 0x40,
  UNREACHABLE: 0x100,
  /** [op, target] */
  JMP: 0x101,
  /** [op, target, from, to, nwords] */
  BR: 0x102,
  /** [op, cond, target] */
  BR_IF: 0x103,
  /** [op, cond, target, from, to, nwords] */
  BR_IF_MOVE: 0x104,
  /** [op, cond, count, (target, from, to, nwords) x (count + 1)], the default last */
  BR_TABLE: 0x105,
  /** [op, cond, elseTarget] */
  IF: 0x106,
  /** [op, from, nwords] */
  RETURN: 0x107,
  /** [op, func, argOff, siteId] */
  CALL: 0x108,
  /** [op, typeIndex, table, t, argOff, siteId] */
  CALL_INDIRECT: 0x109,
  /** [op, func, argOff]: return_call (3.0 tail calls): the callee replaces the frame. */
  RETURN_CALL: 0x120,
  /** [op, typeIndex, table, t, argOff]: return_call_indirect. */
  RETURN_CALL_INDIRECT: 0x121,
  /** [op, dst, src, type] */
  MOV: 0x10a,
  /** [op, dst, value] i32, f32 bits, null reference (0) */
  CONST32: 0x10b,
  /** [op, dst, lo, hi, type] i64, f64 bits */
  CONST64: 0x10c,
  /** [op, t, type]: a at t, b at t+2, condition at t+4 */
  SELECT: 0x10d,
  /** [op, dst, global, type] */
  GLOBAL_GET: 0x10e,
  /** [op, src, global, type] */
  GLOBAL_SET: 0x10f,
  /** [op, dst, global, type], [op, src, global, type]: funcref globals (the machine learns or stores the function). */
  GLOBAL_GET_REF: 0x122,
  GLOBAL_SET_REF: 0x123,
  /** [op, t, table] */
  TABLE_GET: 0x110,
  TABLE_SET: 0x111,
  /** [op, dst, table] */
  TABLE_SIZE: 0x112,
  TABLE_GROW: 0x113,
  TABLE_FILL: 0x114,
  /** [op, t, dstTable, srcTable] */
  TABLE_COPY: 0x115,
  /** [op, t, table, segment] */
  TABLE_INIT: 0x116,
  /** [op, segment] */
  ELEM_DROP: 0x117,
  /** [op, t, segment] */
  MEMORY_INIT: 0x118,
  DATA_DROP: 0x119,
  /** [op, t] */
  MEMORY_COPY: 0x11a,
  MEMORY_FILL: 0x11b,
  REF_IS_NULL: 0x11c,
  /** [op, dst, func] */
  REF_FUNC: 0x11d,
  /** [op, n, siteId]: charge n instructions of fuel (the basic block that starts here). */
  FUEL: 0x11e,
  /** [op, n, siteId]: function entry and loop header; stop when fuel is exhausted, else charge n. */
  FUEL_CHECK: 0x11f,
} as const;

/** Saturating truncations (0xfc 0..7) get internal opcodes right after the numeric range. */
export const SAT_BASE = 0xc5;

/** A growable Int32Array. */
export class IntBuf {
  data = new Int32Array(256);
  length = 0;
  push(v: number): number {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length] = v;
    return this.length++;
  }
  finish(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

import { Trap } from './errors.js';
import type { Machine } from './machine.js';
import type { FuncInstance, Table } from './runtime.js';
import { bytesFuel, elemsFuel, funcOf } from './runtime.js';
import { FUNCREF } from './types.js';

/**
 * Bulk memory and table instructions (spec 4.4.6-4.4.7), shared by the interpreter and the JavaScript
 * tier. Each charges `m.charge` fuel in proportion to its length (runtime.ts), which the tier running
 * it takes from the budget right after, so fuel bounds host time.
 */

const EMPTY_BYTES = new Uint8Array(0);
const EMPTY_HANDLES = new Int32Array(0);
const oobMemory = () => new Trap('out of bounds memory access');
const oobTable = () => new Trap('out of bounds table access');

export function memoryFill(m: Machine, d: number, v: number, n: number): void {
  const u8 = m.memory.u8;
  d >>>= 0;
  n >>>= 0;
  if (d + n > u8.length) throw oobMemory();
  m.charge += bytesFuel(n);
  u8.fill(v, d, d + n);
}
export function memoryCopy(m: Machine, d: number, s: number, n: number): void {
  const u8 = m.memory.u8;
  d >>>= 0;
  s >>>= 0;
  n >>>= 0;
  if (d + n > u8.length || s + n > u8.length) throw oobMemory();
  m.charge += bytesFuel(n);
  u8.copyWithin(d, s, s + n);
}
export function memoryInit(m: Machine, seg: number, d: number, s: number, n: number): void {
  const u8 = m.memory.u8;
  const data = m.datas[seg] ?? EMPTY_BYTES;
  d >>>= 0;
  s >>>= 0;
  n >>>= 0;
  if (d + n > u8.length || s + n > data.length) throw oobMemory();
  m.charge += bytesFuel(n);
  u8.set(data.subarray(s, s + n), d);
}
export function tableGet(m: Machine, t: number, i: number): number {
  const tb = m.tables[t] as Table;
  const elems = tb.elems;
  i >>>= 0;
  if (i >= elems.length) throw oobTable();
  const h = elems[i] as number;
  // The handle now sits on this machine's stack: the machine must be able to resolve it.
  if (h !== 0 && tb.elem === FUNCREF) m.refs.set(h, tb.fns[i] as FuncInstance);
  return h;
}
/** The function of handle `h` on machine `m`'s stack, for storing into a table of type `elem`. */
const fnOf = (m: Machine, tb: Table, h: number): FuncInstance | undefined => (h === 0 || tb.elem !== FUNCREF ? undefined : funcOf(m.refs, h));
export function tableSet(m: Machine, t: number, i: number, h: number): void {
  const tb = m.tables[t] as Table;
  i >>>= 0;
  if (i >= tb.elems.length) throw oobTable();
  tb.put(i, h, fnOf(m, tb, h));
}
export function tableFill(m: Machine, t: number, i: number, h: number, n: number): void {
  const tb = m.tables[t] as Table;
  i >>>= 0;
  n >>>= 0;
  if (i + n > tb.elems.length) throw oobTable();
  m.charge += elemsFuel(n);
  tb.elems.fill(h, i, i + n);
  if (tb.elem === FUNCREF) tb.fns.fill(fnOf(m, tb, h), i, i + n);
}
export function tableGrow(m: Machine, t: number, h: number, n: number): number {
  const tb = m.tables[t] as Table;
  const r = tb.growBy(n, h, fnOf(m, tb, h));
  if (r >= 0) m.charge += elemsFuel(n);
  return r;
}
export function tableCopy(m: Machine, dt: number, st: number, d: number, s: number, n: number): void {
  const td = m.tables[dt] as Table;
  const ts = m.tables[st] as Table;
  d >>>= 0;
  s >>>= 0;
  n >>>= 0;
  if (d + n > td.elems.length || s + n > ts.elems.length) throw oobTable();
  m.charge += elemsFuel(n);
  if (td === ts) {
    td.elems.copyWithin(d, s, s + n);
    if (td.elem === FUNCREF) td.fns.copyWithin(d, s, s + n);
  } else {
    td.elems.set(ts.elems.subarray(s, s + n), d);
    if (td.elem === FUNCREF) for (let k = 0; k < n; k++) td.fns[d + k] = ts.fns[s + k];
  }
}
export function tableInit(m: Machine, t: number, seg: number, d: number, s: number, n: number): void {
  const td = m.tables[t] as Table;
  const elems = m.elems[seg] ?? EMPTY_HANDLES;
  d >>>= 0;
  s >>>= 0;
  n >>>= 0;
  if (d + n > td.elems.length || s + n > elems.length) throw oobTable();
  m.charge += elemsFuel(n);
  for (let k = 0; k < n; k++) {
    const h = elems[s + k] as number;
    td.put(d + k, h, fnOf(m, td, h));
  }
}

import { Trap } from './errors.js';
import type { Machine } from './machine.js';
import type { Table } from './runtime.js';
import { bytesFuel, elemsFuel } from './runtime.js';

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
  const elems = (m.tables[t] as Table).elems;
  i >>>= 0;
  if (i >= elems.length) throw oobTable();
  return elems[i] as number;
}
export function tableSet(m: Machine, t: number, i: number, h: number): void {
  const elems = (m.tables[t] as Table).elems;
  i >>>= 0;
  if (i >= elems.length) throw oobTable();
  elems[i] = h;
}
export function tableFill(m: Machine, t: number, i: number, h: number, n: number): void {
  const elems = (m.tables[t] as Table).elems;
  i >>>= 0;
  n >>>= 0;
  if (i + n > elems.length) throw oobTable();
  m.charge += elemsFuel(n);
  elems.fill(h, i, i + n);
}
export function tableCopy(m: Machine, dt: number, st: number, d: number, s: number, n: number): void {
  const td = (m.tables[dt] as Table).elems;
  const ts = (m.tables[st] as Table).elems;
  d >>>= 0;
  s >>>= 0;
  n >>>= 0;
  if (d + n > td.length || s + n > ts.length) throw oobTable();
  m.charge += elemsFuel(n);
  if (td === ts) td.copyWithin(d, s, s + n);
  else td.set(ts.subarray(s, s + n), d);
}
export function tableInit(m: Machine, t: number, seg: number, d: number, s: number, n: number): void {
  const td = (m.tables[t] as Table).elems;
  const elems = m.elems[seg] ?? EMPTY_HANDLES;
  d >>>= 0;
  s >>>= 0;
  n >>>= 0;
  if (d + n > td.length || s + n > elems.length) throw oobTable();
  m.charge += elemsFuel(n);
  td.set(elems.subarray(s, s + n), d);
}

import { LinkError, Trap } from './errors.js';
import type { FuncType, RefType, ValType } from './types.js';
import { EXTERNREF, F32, F64, FUNCREF, I32, I64, typeName } from './types.js';
import { R, bigIntToI64, f32FromBits, f32ToBits, f64FromBits, f64ToBits, i64ToBigInt } from './numeric.js';

export const PAGE = 65536;

/**
 * A function in the store (spec 4.2.6): either defined by an instance (`owner` runs it) or a host
 * function. Referenced from tables and funcref values by its handle (index in `funcStore`, from 1;
 * 0 is the null reference).
 */
export interface FuncInstance {
  readonly handle: number;
  readonly type: FuncType;
  readonly typeId: number;
  /** The JavaScript-callable form (the export wrapper, or the host function itself). */
  readonly callable: (...args: unknown[]) => unknown;
  /** Set for functions defined by a lang-vm instance: the owner's id and the function index. */
  readonly owner?: object;
  readonly index: number;
}

const typeIds = new Map<string, number>();
/** A small integer per structural function type, so call_indirect compares ints (spec 4.4.8). */
export function typeIdOf(t: FuncType): number {
  let id = typeIds.get(t.key);
  if (id === undefined) {
    id = typeIds.size + 1;
    typeIds.set(t.key, id);
  }
  return id;
}

export const funcStore: (FuncInstance | undefined)[] = [undefined];
const funcByCallable = new WeakMap<object, FuncInstance>();

export function registerFunc(make: (handle: number) => FuncInstance): FuncInstance {
  const f = make(funcStore.length);
  funcStore.push(f);
  funcByCallable.set(f.callable, f);
  return f;
}

/** The store entry for a JavaScript function: ours when it is an export, else a new host function of type `type`. */
export function funcForCallable(fn: (...args: unknown[]) => unknown, type?: FuncType): FuncInstance | undefined {
  const known = funcByCallable.get(fn);
  if (known !== undefined || type === undefined) return known;
  return registerFunc((handle) => ({ handle, type, typeId: typeIdOf(type), callable: fn, index: -1 }));
}

const externs: unknown[] = [undefined];
const externHandles = new Map<unknown, number>();
/** externref values are host values kept in a side table; a handle is their index (0 is null). */
export function externToHandle(v: unknown): number {
  if (v === null) return 0;
  let h = externHandles.get(v);
  if (h === undefined) {
    h = externs.length;
    externs.push(v);
    externHandles.set(v, h);
  }
  return h;
}
export function handleToExtern(h: number): unknown {
  return h === 0 ? null : externs[h];
}

/** A value from JavaScript into two words (ToWebAssemblyValue, JS API 4.3). */
export function toWasm(t: ValType, v: unknown, out: Int32Array, at: number): void {
  switch (t) {
    case I32:
      out[at] = Number(v) | 0;
      return;
    case I64:
      if (typeof v !== 'bigint') throw new TypeError(`an i64 value must be a BigInt, got ${typeof v}`);
      bigIntToI64(v);
      out[at] = R[0] as number;
      out[at + 1] = R[1] as number;
      return;
    case F32:
      out[at] = f32ToBits(Number(v));
      return;
    case F64:
      out[at] = f64ToBits(Number(v));
      out[at + 1] = R[1] as number;
      return;
    case FUNCREF: {
      if (v === null) {
        out[at] = 0;
        return;
      }
      const f = typeof v === 'function' ? funcForCallable(v as (...args: unknown[]) => unknown) : undefined;
      if (f === undefined) throw new TypeError('a funcref must be null or a function exported by a lang-vm instance');
      out[at] = f.handle;
      return;
    }
    case EXTERNREF:
      out[at] = externToHandle(v);
      return;
  }
}

/** Two words into a JavaScript value (ToJSValue). */
export function toJs(t: ValType, w: Int32Array, at: number): unknown {
  switch (t) {
    case I32:
      return w[at];
    case I64:
      return i64ToBigInt(w[at] as number, w[at + 1] as number);
    case F32:
      return f32FromBits(w[at] as number);
    case F64:
      return f64FromBits(w[at] as number, w[at + 1] as number);
    case FUNCREF: {
      const h = w[at] as number;
      return h === 0 ? null : (funcStore[h] as FuncInstance).callable;
    }
    case EXTERNREF:
      return handleToExtern(w[at] as number);
  }
}

export interface MemoryDescriptor {
  readonly initial: number;
  readonly maximum?: number;
}

/** A linear memory (spec 4.2.8), shaped like WebAssembly.Memory. Grows by reallocating. */
export class Memory {
  u8: Uint8Array;
  dv: DataView;
  readonly maximum: number | undefined;
  /** Page cap imposed by the embedder on top of the declared maximum (per instance). */
  cap = 65536;
  constructor(descriptor: MemoryDescriptor) {
    const { initial, maximum } = descriptor;
    if (!Number.isInteger(initial) || initial < 0 || initial > 65536) throw new RangeError(`memory initial ${initial} is not 0..65536 pages`);
    if (maximum !== undefined && (!Number.isInteger(maximum) || maximum < initial || maximum > 65536)) {
      throw new RangeError(`memory maximum ${maximum} is not ${initial}..65536 pages`);
    }
    this.maximum = maximum;
    this.u8 = new Uint8Array(initial * PAGE);
    this.dv = new DataView(this.u8.buffer);
  }
  get buffer(): ArrayBuffer {
    return this.u8.buffer as ArrayBuffer;
  }
  get pages(): number {
    return this.u8.length / PAGE;
  }
  /** memory.grow semantics (spec 4.4.7): old size in pages, or -1 when over the maximum or the cap. */
  growPages(delta: number): number {
    const old = this.pages;
    const limit = Math.min(this.maximum ?? 65536, this.cap);
    if (delta < 0 || old + delta > limit) return -1;
    if (delta === 0) return old;
    let next: Uint8Array;
    try {
      next = new Uint8Array((old + delta) * PAGE);
    } catch {
      return -1;
    }
    next.set(this.u8);
    this.u8 = next;
    this.dv = new DataView(next.buffer);
    return old;
  }
  /** WebAssembly.Memory.prototype.grow: throws RangeError instead of returning -1. */
  grow(delta: number): number {
    const r = this.growPages(delta);
    if (r < 0) throw new RangeError(`memory cannot grow by ${delta} pages`);
    return r;
  }
}

export interface TableDescriptor {
  readonly element: 'anyfunc' | 'funcref' | 'externref';
  readonly initial: number;
  readonly maximum?: number;
}

/** A table of references (spec 4.2.7), shaped like WebAssembly.Table. Elements are handles. */
export class Table {
  elems: Int32Array;
  readonly elem: RefType;
  readonly maximum: number | undefined;
  constructor(descriptor: TableDescriptor, init: unknown = null) {
    this.elem = descriptor.element === 'externref' ? EXTERNREF : FUNCREF;
    if (!Number.isInteger(descriptor.initial) || descriptor.initial < 0 || descriptor.initial > 10_000_000) {
      throw new RangeError(`table initial ${descriptor.initial} is out of range`);
    }
    this.maximum = descriptor.maximum;
    this.elems = new Int32Array(descriptor.initial);
    if (init !== null && init !== undefined) this.elems.fill(this.handleOf(init));
  }
  get length(): number {
    return this.elems.length;
  }
  private handleOf(v: unknown): number {
    const w = new Int32Array(2);
    toWasm(this.elem, v, w, 0);
    return w[0] as number;
  }
  get(i: number): unknown {
    if (i < 0 || i >= this.elems.length) throw new RangeError(`table index ${i} out of bounds`);
    const w = new Int32Array([this.elems[i] as number, 0]);
    return toJs(this.elem, w, 0);
  }
  set(i: number, v: unknown = null): void {
    if (i < 0 || i >= this.elems.length) throw new RangeError(`table index ${i} out of bounds`);
    this.elems[i] = this.handleOf(v);
  }
  /** table.grow (spec 4.4.6): old size, or -1. */
  growBy(delta: number, handle: number): number {
    const old = this.elems.length;
    const limit = Math.min(this.maximum ?? 0xffffffff, 10_000_000);
    if (delta < 0 || old + delta > limit) return -1;
    const next = new Int32Array(old + delta);
    next.set(this.elems);
    next.fill(handle, old);
    this.elems = next;
    return old;
  }
  grow(delta: number, init: unknown = null): number {
    const r = this.growBy(delta, init === null ? 0 : this.handleOf(init));
    if (r < 0) throw new RangeError(`table cannot grow by ${delta}`);
    return r;
  }
}

export interface GlobalDescriptor {
  readonly value: 'i32' | 'i64' | 'f32' | 'f64' | 'anyfunc' | 'funcref' | 'externref';
  readonly mutable?: boolean;
}

const VALUE_TYPES: Readonly<Record<string, ValType>> = { i32: I32, i64: I64, f32: F32, f64: F64, anyfunc: FUNCREF, funcref: FUNCREF, externref: EXTERNREF };

/** A global (spec 4.2.9), shaped like WebAssembly.Global. Its value lives in two words. */
export class Global {
  readonly cell = new Int32Array(2);
  readonly type: ValType;
  readonly mutable: boolean;
  constructor(descriptor: GlobalDescriptor, value?: unknown) {
    const t = VALUE_TYPES[descriptor.value];
    if (t === undefined) throw new TypeError(`unknown global value type '${descriptor.value}'`);
    this.type = t;
    this.mutable = descriptor.mutable === true;
    if (value !== undefined) toWasm(t, value, this.cell, 0);
    else if (t === I64) this.cell.fill(0);
  }
  get value(): unknown {
    return toJs(this.type, this.cell, 0);
  }
  set value(v: unknown) {
    if (!this.mutable) throw new TypeError('cannot set an immutable global');
    toWasm(this.type, v, this.cell, 0);
  }
  valueOf(): unknown {
    return this.value;
  }
}

export function describeType(t: FuncType): string {
  return `[${t.params.map(typeName).join(' ')}] -> [${t.results.map(typeName).join(' ')}]`;
}

export function linkError(module: string, name: string, why: string): LinkError {
  return new LinkError(`import '${module}'.'${name}': ${why}`);
}

export function oobTable(): Trap {
  return new Trap('out of bounds table access');
}

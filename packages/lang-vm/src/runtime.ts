import { LinkError, Trap } from './errors.js';
import type { FuncType, RefType, ValType } from './types.js';
import { EXTERNREF, F32, F64, FUNCREF, I32, I64, typeName } from './types.js';
import { R, bigIntToI64, f32FromBits, f32ToBits, f64FromBits, f64ToBits, i64ToBigInt } from './numeric.js';

export const PAGE = 65536;

/**
 * A function in the store (spec 4.2.6): either defined by an instance (`owner` runs it) or a host
 * function. A funcref value in wasm words is its handle (a process-wide number from 1; 0 is the
 * null reference). There is no process-wide table of functions: whatever holds a handle also holds
 * the function (a Table its `fns`, a Global its `fn`, a Machine its `refs`), so an instance that
 * nothing references is collectable.
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

let nextHandle = 1;
const EMPTY_REFS: Refs = new Map();
const funcByCallable = new WeakMap<object, FuncInstance>();

/** Handle -> function, for the handles one holder (a machine's stack, a JavaScript call) may meet. */
export type Refs = Map<number, FuncInstance>;

export function registerFunc(make: (handle: number) => FuncInstance): FuncInstance {
  const f = make(nextHandle++);
  funcByCallable.set(f.callable, f);
  return f;
}

/** The function behind a handle that `refs` must know (lang-vm keeps every handle it hands out resolvable). */
export function funcOf(refs: Refs, h: number): FuncInstance {
  const f = refs.get(h);
  if (f === undefined) throw new Error(`lang-vm internal error: funcref handle ${h} is not known here`);
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

/**
 * A value from JavaScript into two words (ToWebAssemblyValue, JS API 4.3). A funcref's function
 * is recorded in `refs`, so that the handle stays resolvable where the words go.
 */
export function toWasm(t: ValType, v: unknown, out: Int32Array, at: number, refs?: Refs): void {
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
      refs?.set(f.handle, f);
      return;
    }
    case EXTERNREF:
      out[at] = externToHandle(v);
      return;
  }
}

/** Two words into a JavaScript value (ToJSValue); `refs` resolves a funcref's handle. */
export function toJs(t: ValType, w: Int32Array, at: number, refs?: Refs): unknown {
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
      return h === 0 ? null : funcOf(refs ?? EMPTY_REFS, h).callable;
    }
    case EXTERNREF:
      return handleToExtern(w[at] as number);
  }
}

export interface MemoryDescriptor {
  readonly initial: number;
  readonly maximum?: number;
}

/**
 * Fuel that growing and bulk operations cost, in proportion to the host work they do: one unit per
 * 64 bytes of memory written (a cache line; the same unit a 64-byte burst of stores would cost in
 * instructions, within a small factor) and per 16 table elements (4-byte handles).
 */
export const FUEL_PER_PAGE = PAGE / 64;
export const bytesFuel = (n: number): number => Math.floor(n / 64);
export const elemsFuel = (n: number): number => Math.floor(n / 16);

/**
 * A linear memory (spec 4.2.8), shaped like WebAssembly.Memory. Growth is amortized: the backing
 * store doubles (up to the maximum) and `u8`/`dv` are views of exactly the memory's size over it,
 * so a guest that grows one page at a time copies each byte O(1) times, not once per grow.
 */
export class Memory {
  u8: Uint8Array;
  dv: DataView;
  readonly maximum: number | undefined;
  /** Page cap imposed by the embedder on top of the declared maximum (per instance). */
  cap = 65536;
  private store: ArrayBuffer;
  constructor(descriptor: MemoryDescriptor) {
    const { initial, maximum } = descriptor;
    if (!Number.isInteger(initial) || initial < 0 || initial > 65536) throw new RangeError(`memory initial ${initial} is not 0..65536 pages`);
    if (maximum !== undefined && (!Number.isInteger(maximum) || maximum < initial || maximum > 65536)) {
      throw new RangeError(`memory maximum ${maximum} is not ${initial}..65536 pages`);
    }
    this.maximum = maximum;
    this.store = new ArrayBuffer(initial * PAGE);
    this.u8 = new Uint8Array(this.store);
    this.dv = new DataView(this.store);
  }
  /**
   * The memory's bytes, exactly its size (JS API). After a grow that left spare capacity this
   * trims the store to the size first (one copy); the guest's next grow reallocates.
   */
  get buffer(): ArrayBuffer {
    if (this.store.byteLength !== this.u8.length) {
      const exact = this.store.slice(0, this.u8.length);
      this.store = exact;
      this.u8 = new Uint8Array(exact);
      this.dv = new DataView(exact);
    }
    return this.store;
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
    const size = (old + delta) * PAGE;
    if (size > this.store.byteLength) {
      let next: ArrayBuffer;
      try {
        next = new ArrayBuffer(Math.max(size, Math.min(2 * this.store.byteLength, limit * PAGE)));
      } catch {
        try {
          next = new ArrayBuffer(size);
        } catch {
          return -1;
        }
      }
      new Uint8Array(next).set(this.u8);
      this.store = next;
    }
    // Bytes of the store beyond the old size were never part of the memory: still zero.
    this.u8 = new Uint8Array(this.store, 0, size);
    this.dv = new DataView(this.store, 0, size);
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

/**
 * A table of references (spec 4.2.7), shaped like WebAssembly.Table. Elements are handles; a
 * funcref table also holds each element's function in `fns` (call_indirect reads it there, and it
 * keeps the functions alive as long as the table is).
 */
export class Table {
  /** The elements, exactly the table's size: a view over a store that doubles (amortized growth). */
  elems: Int32Array;
  /** Funcref tables: the function at each index (undefined for null), always `elems.length` long. */
  readonly fns: (FuncInstance | undefined)[] = [];
  private store: Int32Array;
  readonly elem: RefType;
  readonly maximum: number | undefined;
  constructor(descriptor: TableDescriptor, init: unknown = null) {
    this.elem = descriptor.element === 'externref' ? EXTERNREF : FUNCREF;
    if (!Number.isInteger(descriptor.initial) || descriptor.initial < 0 || descriptor.initial > 10_000_000) {
      throw new RangeError(`table initial ${descriptor.initial} is out of range`);
    }
    this.maximum = descriptor.maximum;
    this.store = new Int32Array(descriptor.initial);
    this.elems = this.store;
    const refs: Refs = new Map();
    const h = init !== null && init !== undefined ? this.handleOf(init, refs) : 0;
    this.elems.fill(h);
    for (let i = 0; i < descriptor.initial; i++) this.fns.push(refs.get(h));
  }
  get length(): number {
    return this.elems.length;
  }
  private handleOf(v: unknown, refs: Refs): number {
    const w = new Int32Array(2);
    toWasm(this.elem, v, w, 0, refs);
    return w[0] as number;
  }
  get(i: number): unknown {
    if (i < 0 || i >= this.elems.length) throw new RangeError(`table index ${i} out of bounds`);
    if (this.elem === FUNCREF) return this.fns[i]?.callable ?? null;
    return handleToExtern(this.elems[i] as number);
  }
  set(i: number, v: unknown = null): void {
    if (i < 0 || i >= this.elems.length) throw new RangeError(`table index ${i} out of bounds`);
    const refs: Refs = new Map();
    const h = this.handleOf(v, refs);
    this.put(i, h, refs.get(h));
  }
  /** Stores handle `h` (and its function, for a funcref table) at `i`; no bounds check. */
  put(i: number, h: number, f: FuncInstance | undefined): void {
    this.elems[i] = h;
    if (this.elem === FUNCREF) this.fns[i] = f;
  }
  /** table.grow (spec 4.4.6): old size, or -1. New elements hold handle `h` (function `f`). */
  growBy(delta: number, handle: number, f?: FuncInstance): number {
    const old = this.elems.length;
    const limit = Math.min(this.maximum ?? 0xffffffff, 10_000_000);
    if (delta < 0 || old + delta > limit) return -1;
    if (old + delta > this.store.length) {
      const next = new Int32Array(Math.max(old + delta, Math.min(2 * this.store.length, limit)));
      next.set(this.elems);
      this.store = next;
    }
    this.elems = this.store.subarray(0, old + delta);
    this.elems.fill(handle, old);
    if (this.elem === FUNCREF) for (let i = 0; i < delta; i++) this.fns.push(f);
    return old;
  }
  grow(delta: number, init: unknown = null): number {
    const refs: Refs = new Map();
    const h = init === null ? 0 : this.handleOf(init, refs);
    const r = this.growBy(delta, h, refs.get(h));
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
  /** A funcref global's function (its handle is in `cell`), held so that the handle stays resolvable. */
  fn: FuncInstance | undefined;
  constructor(descriptor: GlobalDescriptor, value?: unknown) {
    const t = VALUE_TYPES[descriptor.value];
    if (t === undefined) throw new TypeError(`unknown global value type '${descriptor.value}'`);
    this.type = t;
    this.mutable = descriptor.mutable === true;
    if (value !== undefined) this.store(value);
    else if (t === I64) this.cell.fill(0);
  }
  private store(v: unknown): void {
    const refs: Refs = new Map();
    toWasm(this.type, v, this.cell, 0, refs);
    this.fn = refs.get(this.cell[0] as number);
  }
  get value(): unknown {
    if (this.type === FUNCREF) return this.fn?.callable ?? null;
    return toJs(this.type, this.cell, 0);
  }
  set value(v: unknown) {
    if (!this.mutable) throw new TypeError('cannot set an immutable global');
    this.store(v);
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

/**
 * Just enough of the WebAssembly binary format (core spec 5, "Binary Format") to emit one
 * function over an imported memory: opcodes, LEB128 immediates, structured control with named
 * labels (branch depths are worked out from the label stack), and the module around it.
 */

/** The part of the host's WebAssembly JS API used here (the project's TypeScript lib has no DOM types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  readonly Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
}
/** The host's WebAssembly, if it has one. */
export const wasmApi: WasmApi | undefined = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Opcodes used by the region back end (core spec 5.4). */
export const OP = {
  unreachable: 0x00, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, brIf: 0x0d, brTable: 0x0e,
  drop: 0x1a, select: 0x1b,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Load: 0x28, f64Load: 0x2b, i32Load8S: 0x2c, i32Load8U: 0x2d, i32Load16S: 0x2e, i32Load16U: 0x2f,
  i32Store: 0x36, f64Store: 0x39, i32Store8: 0x3a, i32Store16: 0x3b,
  i32Const: 0x41,
  i32Eqz: 0x45, i32Eq: 0x46, i32Ne: 0x47, i32LtS: 0x48, i32LtU: 0x49, i32GtS: 0x4a, i32GtU: 0x4b, i32LeS: 0x4c, i32LeU: 0x4d, i32GeS: 0x4e, i32GeU: 0x4f,
  i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32DivS: 0x6d, i32DivU: 0x6e, i32RemS: 0x6f, i32RemU: 0x70,
  i32And: 0x71, i32Or: 0x72, i32Xor: 0x73, i32Shl: 0x74, i32ShrS: 0x75, i32ShrU: 0x76,
  i64Mul: 0x7e, i64ShrS: 0x87, i64ShrU: 0x88,
  f64Add: 0xa0, i32WrapI64: 0xa7, i64ExtendI32S: 0xac, i64ExtendI32U: 0xad, f64ConvertI32U: 0xb8,
} as const;

/** Block types: no result, or one i32. */
export const VOID = 0x40;
export const I32 = 0x7f;

/** Thrown when code would branch to a label that is not open (a bug in the emitter). */
export class WasmEncoderError extends Error {
  override name = 'WasmEncoderError';
}

/** A growable byte buffer (one typed array, doubled when full: no per-byte array pushes). */
export class Bytes {
  buf = new Uint8Array(4096);
  length = 0;

  push(b: number): void {
    if (this.length === this.buf.length) this.#grow(1);
    this.buf[this.length++] = b;
  }

  append(other: Bytes): void {
    if (this.length + other.length > this.buf.length) this.#grow(other.length);
    this.buf.set(other.buf.subarray(0, other.length), this.length);
    this.length += other.length;
  }

  #grow(more: number): void {
    let size = this.buf.length * 2;
    while (size < this.length + more) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function uleb(out: Bytes, v: number): void {
  let x = v >>> 0;
  do {
    const b = x & 0x7f;
    x >>>= 7;
    out.push(x === 0 ? b : b | 0x80);
  } while (x !== 0);
}

function sleb(out: Bytes, v: number): void {
  let x = v | 0;
  for (;;) {
    const b = x & 0x7f;
    x >>= 7;
    if ((x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

/** A function body under construction. */
export class WasmCode {
  readonly bytes = new Bytes();
  /** Open structured instructions, innermost last; each a name (or undefined) to branch to. */
  readonly #labels: (string | undefined)[] = [];

  op(a: number, b?: number): this {
    this.bytes.push(a);
    if (b !== undefined) this.bytes.push(b);
    return this;
  }

  i32(v: number): this {
    this.bytes.push(OP.i32Const);
    sleb(this.bytes, v);
    return this;
  }

  get(local: number): this {
    this.bytes.push(OP.localGet);
    uleb(this.bytes, local);
    return this;
  }

  set(local: number): this {
    this.bytes.push(OP.localSet);
    uleb(this.bytes, local);
    return this;
  }

  tee(local: number): this {
    this.bytes.push(OP.localTee);
    uleb(this.bytes, local);
    return this;
  }

  /** A load or store with its alignment exponent and constant offset (memarg). */
  mem(code: number, alignLog2: number, offset: number): this {
    this.bytes.push(code);
    uleb(this.bytes, alignLog2);
    uleb(this.bytes, offset);
    return this;
  }

  /** Opens `block`, `loop` or `if` named `label` (branch with `br(label)`). */
  open(code: typeof OP.block | typeof OP.loop | typeof OP.if, label?: string, type = VOID): this {
    this.bytes.push(code);
    this.bytes.push(type);
    this.#labels.push(label);
    return this;
  }

  else(): this {
    this.bytes.push(OP.else);
    return this;
  }

  close(): this {
    if (this.#labels.length === 0) throw new WasmEncoderError('end without an open block');
    this.#labels.pop();
    this.bytes.push(OP.end);
    return this;
  }

  #depth(label: string): number {
    const i = this.#labels.lastIndexOf(label);
    if (i < 0) throw new WasmEncoderError(`branch to '${label}', which is not open`);
    return this.#labels.length - 1 - i;
  }

  br(label: string): this {
    this.bytes.push(OP.br);
    uleb(this.bytes, this.#depth(label));
    return this;
  }

  brIf(label: string): this {
    this.bytes.push(OP.brIf);
    uleb(this.bytes, this.#depth(label));
    return this;
  }

  brTable(labels: readonly string[], fallback: string): this {
    this.bytes.push(OP.brTable);
    uleb(this.bytes, labels.length);
    for (const l of labels) uleb(this.bytes, this.#depth(l));
    uleb(this.bytes, this.#depth(fallback));
    return this;
  }

  get openLabels(): number {
    return this.#labels.length;
  }
}

function section(out: Bytes, id: number, content: Bytes): void {
  out.push(id);
  uleb(out, content.length);
  out.append(content);
}

function bytesOf(...values: number[]): Bytes {
  const b = new Bytes();
  for (const v of values) b.push(v);
  return b;
}

function name(out: Bytes, s: string): void {
  uleb(out, s.length);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

/**
 * A module importing memory `e.m` (at least `memoryPages` 64 KiB pages) and exporting one function
 * `f` of `params` i32 parameters returning an i32, with `locals` i32 locals after the parameters.
 */
export function wasmModule(params: number, locals: number, body: WasmCode): Uint8Array {
  if (body.openLabels !== 0) throw new WasmEncoderError(`${body.openLabels} block(s) left open`);
  const out = bytesOf(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
  const type = bytesOf(1, 0x60);
  uleb(type, params);
  for (let i = 0; i < params; i++) type.push(I32);
  type.push(1);
  type.push(I32);
  section(out, 1, type);
  const imp = bytesOf(1);
  name(imp, 'e');
  name(imp, 'm');
  // memory, limits: min 0, no max (the imported memory's own size holds)
  for (const b of [0x02, 0x00, 0x00]) imp.push(b);
  section(out, 2, imp);
  section(out, 3, bytesOf(1, 0));
  const exp = bytesOf(1);
  name(exp, 'f');
  exp.push(0x00);
  exp.push(0x00);
  section(out, 7, exp);
  const fn = new Bytes();
  if (locals > 0) {
    fn.push(1);
    uleb(fn, locals);
    fn.push(I32);
  } else fn.push(0);
  fn.append(body.bytes);
  fn.push(OP.end);
  const code = bytesOf(1);
  uleb(code, fn.length);
  code.append(fn);
  section(out, 10, code);
  return out.result();
}

/**
 * Flattened device tree (DTB) encoding, Devicetree Specification v0.4 chapter 5: a header, the
 * memory reservation block, the structure block and the strings block, all big-endian.
 */

/** A property value: raw bytes, a string, a string list, u32 cells, or empty (`true`). */
export type FdtValue = Uint8Array | string | readonly string[] | readonly number[] | true;

export interface FdtNode {
  readonly name: string;
  readonly props: readonly (readonly [string, FdtValue])[];
  readonly children: readonly FdtNode[];
}

export const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_END = 9;
const HEADER_SIZE = 40;
const VERSION = 17;
const LAST_COMPATIBLE_VERSION = 16;

export class FdtError extends Error {
  override name = 'FdtError';
}

export function node(name: string, props: FdtNode['props'], children: FdtNode['children'] = []): FdtNode {
  return { name, props, children };
}

/** Grows a big-endian byte buffer. */
class Writer {
  bytes = new Uint8Array(1024);
  length = 0;

  #reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  u32(v: number): void {
    this.#reserve(4);
    const b = this.bytes;
    b[this.length] = v >>> 24;
    b[this.length + 1] = v >>> 16;
    b[this.length + 2] = v >>> 8;
    b[this.length + 3] = v;
    this.length += 4;
  }

  raw(data: Uint8Array): void {
    this.#reserve(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  /** Zero bytes up to a multiple of `n` (spec 5.4.1: tokens are 32-bit aligned). */
  align(n: number): void {
    const pad = (n - (this.length % n)) % n;
    this.#reserve(pad);
    this.bytes.fill(0, this.length, this.length + pad);
    this.length += pad;
  }

  take(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

const utf8 = new TextEncoder();

function encodeValue(value: FdtValue, where: string): Uint8Array {
  if (value === true) return new Uint8Array(0);
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return utf8.encode(`${value}\0`);
  if (value.length === 0) return new Uint8Array(0);
  if (typeof value[0] === 'string') return utf8.encode((value as readonly string[]).map((s) => `${s}\0`).join(''));
  const cells = value as readonly number[];
  const out = new Uint8Array(cells.length * 4);
  const view = new DataView(out.buffer);
  cells.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0 || c > 0xffffffff) throw new FdtError(`${where}: cell ${i} = ${c} is not a u32`);
    view.setUint32(4 * i, c);
  });
  return out;
}

/** Encodes a tree into a DTB blob (spec 5.2 header, 5.3 reservation block, 5.4 structure, 5.5 strings). */
export function encodeFdt(root: FdtNode, options: { bootCpuId?: number; reservations?: readonly [number, number][] } = {}): Uint8Array {
  const struct = new Writer();
  const strings = new Writer();
  const stringOffsets = new Map<string, number>();
  const nameOffset = (name: string) => {
    let off = stringOffsets.get(name);
    if (off === undefined) {
      off = strings.length;
      strings.raw(utf8.encode(`${name}\0`));
      stringOffsets.set(name, off);
    }
    return off;
  };

  const emit = (n: FdtNode, path: string) => {
    struct.u32(FDT_BEGIN_NODE);
    struct.raw(utf8.encode(`${n.name}\0`));
    struct.align(4);
    for (const [name, value] of n.props) {
      const bytes = encodeValue(value, `${path} ${name}`);
      struct.u32(FDT_PROP);
      struct.u32(bytes.length);
      struct.u32(nameOffset(name));
      struct.raw(bytes);
      struct.align(4);
    }
    for (const child of n.children) emit(child, `${path === '/' ? '' : path}/${child.name}`);
    struct.u32(FDT_END_NODE);
  };
  if (root.name !== '') throw new FdtError(`the root node's name must be empty, got '${root.name}'`);
  emit(root, '/');
  struct.u32(FDT_END);

  const rsv = new Writer();
  for (const [address, size] of options.reservations ?? []) {
    rsv.u32(Math.floor(address / 2 ** 32));
    rsv.u32(address >>> 0);
    rsv.u32(Math.floor(size / 2 ** 32));
    rsv.u32(size >>> 0);
  }
  rsv.u32(0);
  rsv.u32(0);
  rsv.u32(0);
  rsv.u32(0);

  const offMemRsvmap = HEADER_SIZE; // 40 is already 8-byte aligned (spec 5.3.1)
  const offStruct = offMemRsvmap + rsv.length;
  const offStrings = offStruct + struct.length;
  const total = offStrings + strings.length;
  const out = new Writer();
  out.u32(FDT_MAGIC);
  out.u32(total);
  out.u32(offStruct);
  out.u32(offStrings);
  out.u32(offMemRsvmap);
  out.u32(VERSION);
  out.u32(LAST_COMPATIBLE_VERSION);
  out.u32(options.bootCpuId ?? 0);
  out.u32(strings.length);
  out.u32(struct.length);
  out.raw(rsv.take());
  out.raw(struct.take());
  out.raw(strings.take());
  return out.take();
}

/** Devicetree spec v0.4 2.2.4.1: a property name is 1 to 31 characters. */
const MAX_PROPERTY_NAME = 31;
const MAX_DEPTH = 64;

/**
 * Decodes a DTB blob back into a tree (properties as raw bytes), checking the header and every
 * token against the bounds of its block (spec 5.2, 5.4). For reading a guest's tree, and for
 * tests. Work and memory are linear in the blob: the structure block is walked once, a property
 * name is at most 31 characters and each distinct name offset is decoded once, and nesting is
 * limited to 64 levels. Errors name the offset.
 */
export function decodeFdt(blob: Uint8Array): FdtNode {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const hex = (n: number) => `0x${n.toString(16)}`;
  if (blob.length < HEADER_SIZE) throw new FdtError(`blob is ${blob.length} bytes, shorter than the 40-byte header`);
  const header = (at: number) => view.getUint32(at);
  if (header(0) !== FDT_MAGIC) throw new FdtError(`magic is ${hex(header(0))}, not 0xd00dfeed`);
  const total = header(4);
  if (total > blob.length) throw new FdtError(`totalsize ${hex(total)} is larger than the blob (${hex(blob.length)})`);
  if (total < HEADER_SIZE) throw new FdtError(`totalsize ${hex(total)} is smaller than the 40-byte header`);
  if (header(24) > VERSION) throw new FdtError(`last_comp_version ${header(24)} is newer than 17`);
  const block = (what: string, offset: number, size: number) => {
    if (offset < HEADER_SIZE || offset + size > total) {
      throw new FdtError(`${what} block ${hex(offset)} + ${hex(size)} is not inside the blob's totalsize (${hex(HEADER_SIZE)}..${hex(total)})`);
    }
    return { start: offset, end: offset + size };
  };
  const struct = block('structure', header(8), header(36));
  const strings = block('strings', header(12), header(32));
  const u32 = (at: number) => {
    if (at + 4 > struct.end) throw new FdtError(`token at ${hex(at)} runs past the end of the structure block (${hex(struct.end)})`);
    return view.getUint32(at);
  };
  const decoder = new TextDecoder();
  const names = new Map<number, string>();
  const propertyName = (nameOff: number, at: number): string => {
    const known = names.get(nameOff);
    if (known !== undefined) return known;
    if (nameOff >= strings.end - strings.start) {
      throw new FdtError(`property at ${hex(at)}: name offset ${nameOff} is outside the strings block (${strings.end - strings.start} bytes)`);
    }
    const start = strings.start + nameOff;
    const nul = blob.subarray(start, Math.min(strings.end, start + MAX_PROPERTY_NAME + 1)).indexOf(0);
    if (nul < 0) {
      throw new FdtError(`property at ${hex(at)}: its name at strings offset ${nameOff} has no NUL within ${MAX_PROPERTY_NAME} characters (spec 2.2.4.1) or before the end of the strings block`);
    }
    const name = decoder.decode(blob.subarray(start, start + nul));
    names.set(nameOff, name);
    return name;
  };
  let at = struct.start;
  const parseNode = (depth: number): FdtNode => {
    if (depth > MAX_DEPTH) throw new FdtError(`node at ${hex(at)} nests deeper than ${MAX_DEPTH} levels`);
    if (u32(at) !== FDT_BEGIN_NODE) throw new FdtError(`expected FDT_BEGIN_NODE at ${hex(at)}, found token ${u32(at)}`);
    const nameStart = at + 4;
    const nul = blob.subarray(nameStart, struct.end).indexOf(0);
    if (nul < 0) throw new FdtError(`node name at ${hex(nameStart)} is not NUL-terminated inside the structure block`);
    const name = decoder.decode(blob.subarray(nameStart, nameStart + nul));
    at = (nameStart + nul + 1 + 3) & ~3;
    const props: [string, FdtValue][] = [];
    const children: FdtNode[] = [];
    for (;;) {
      const token = u32(at);
      if (token === FDT_PROP) {
        const len = u32(at + 4);
        const nameOff = u32(at + 8);
        const value = at + 12;
        if (value + len > struct.end) throw new FdtError(`property at ${hex(at)} (${len} bytes) runs past the end of the structure block (${hex(struct.end)})`);
        props.push([propertyName(nameOff, at), blob.slice(value, value + len)]);
        at = (value + len + 3) & ~3;
      } else if (token === FDT_BEGIN_NODE) {
        children.push(parseNode(depth + 1));
      } else if (token === FDT_END_NODE) {
        at += 4;
        return { name, props, children };
      } else if (token === 4) {
        at += 4; // FDT_NOP
      } else {
        throw new FdtError(`unexpected token ${token} at ${hex(at)}`);
      }
    }
  };
  const root = parseNode(0);
  if (u32(at) !== FDT_END) throw new FdtError(`expected FDT_END at ${hex(at)}, found token ${u32(at)}`);
  return root;
}

// A wasm-aware mutation (binary format, spec 5.5): split a module into its sections, change the
// content of one (bytes of a function body, an immediate, a count), then write every section size
// and function-body size back as LEB128 so the module still frames correctly. Byte-level
// mutations mostly break the framing, which both engines reject at once; these reach the
// validator and instantiation.
import { mutate, type Rng } from '../mutator.js';

interface Section {
  readonly id: number;
  content: Uint8Array;
}

function readU32(b: Uint8Array, at: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    const byte = b[at + i];
    if (byte === undefined) return undefined;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return { value, next: at + i + 1 };
  }
  return undefined;
}

function u32Leb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
  return out;
}

function sections(module: Uint8Array): Section[] | undefined {
  const out: Section[] = [];
  let at = 8;
  while (at < module.length) {
    const id = module[at] as number;
    const size = readU32(module, at + 1);
    if (size === undefined || size.next + size.value > module.length) return undefined;
    out.push({ id, content: module.slice(size.next, size.next + size.value) });
    at = size.next + size.value;
  }
  return out;
}

function join(parts: readonly (Uint8Array | number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function encode(header: Uint8Array, list: readonly Section[]): Uint8Array {
  return join([header, ...list.flatMap((s) => [[s.id, ...u32Leb(s.content.length)], s.content])]);
}

/** A code section with one body changed by `change`, every size re-encoded. */
function mutateBody(content: Uint8Array, rng: Rng, change: (body: Uint8Array) => Uint8Array): Uint8Array | undefined {
  const count = readU32(content, 0);
  if (count === undefined || count.value === 0) return undefined;
  const bodies: Uint8Array[] = [];
  let at = count.next;
  for (let i = 0; i < count.value; i++) {
    const size = readU32(content, at);
    if (size === undefined || size.next + size.value > content.length) return undefined;
    bodies.push(content.subarray(size.next, size.next + size.value));
    at = size.next + size.value;
  }
  const which = rng.below(bodies.length);
  bodies[which] = change(bodies[which] as Uint8Array);
  return join([u32Leb(bodies.length), ...bodies.flatMap((b) => [u32Leb(b.length), b])]);
}

const OPCODES = [
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x1a, 0x1b, 0x1c, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x28, 0x36, 0x3f, 0x40, 0x41, 0x42, 0x43, 0x44,
  0x45, 0x6a, 0x7c, 0xa7, 0xd0, 0xd1, 0xd2, 0xfc,
];

/** One structured mutation of `module` (returned unchanged when it does not frame as a module). */
export function mutateWasm(module: Uint8Array, rng: Rng): Uint8Array {
  const list = sections(module);
  if (list === undefined || list.length === 0) return module;
  const header = module.subarray(0, 8);
  const byteLevel = (b: Uint8Array) => mutate([b], rng, { maxSize: b.length + 64 });
  const section = rng.pick(list);
  const code = list.find((s) => s.id === 10);
  const r = rng.below(6);
  if (r <= 2 && code !== undefined) {
    // Inside a function body: an opcode (with zero or small immediates) inserted or replaced, or bytes changed.
    const changed = mutateBody(code.content, rng, (body) => {
      if (r === 2) return byteLevel(body);
      const at = rng.below(Math.max(1, body.length - 1));
      const insert = [rng.pick(OPCODES), ...(rng.chance(2) ? [rng.below(4)] : [])];
      return r === 0 ? join([body.subarray(0, at), insert, body.subarray(at)]) : join([body.subarray(0, at), insert, body.subarray(at + insert.length)]);
    });
    if (changed !== undefined) code.content = changed;
  } else if (r === 3) {
    section.content = byteLevel(section.content);
  } else if (r === 4 && list.length > 1) {
    // Sections swapped, dropped or duplicated: order and presence rules (spec 5.5.2).
    const i = rng.below(list.length);
    const j = rng.below(list.length);
    const kind = rng.below(3);
    if (kind === 0) [list[i], list[j]] = [list[j] as Section, list[i] as Section];
    else if (kind === 1) list.splice(i, 1);
    else list.splice(i, 0, { id: (list[j] as Section).id, content: (list[j] as Section).content.slice() });
  } else {
    // A count or index at the start of a section's content changed by a little.
    const first = readU32(section.content, 0);
    if (first !== undefined) section.content = join([u32Leb(Math.max(0, first.value + rng.pick([-1, 1, 2, 64]))), section.content.subarray(first.next)]);
  }
  return encode(header, list);
}

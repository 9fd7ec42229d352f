/**
 * Hostile ELF files of issue 19, built by mutating one of the committed images field by field
 * (System V gABI ELF32 layouts): the loader's tests, `virtlab elf`'s tests and the fuzz seeds use
 * them. Each builder returns a new file; the base is never changed.
 */

const EHDR_PHOFF = 28;
const EHDR_SHOFF = 32;
const EHDR_PHNUM = 44;
const EHDR_SHNUM = 48;
const PHDR_SIZE = 32;
const SHDR_SIZE = 40;
const SYM_SIZE = 16;
const PT_LOAD = 1;
const SHT_SYMTAB = 2;

export interface HostileElf {
  readonly name: string;
  /** What the file does to a loader that trusts its headers. */
  readonly description: string;
  readonly bytes: Uint8Array;
}

interface Phdr {
  type: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
  flags: number;
  align: number;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

function programHeaders(elf: Uint8Array): Phdr[] {
  const v = view(elf);
  const phoff = v.getUint32(EHDR_PHOFF, true);
  return Array.from({ length: v.getUint16(EHDR_PHNUM, true) }, (_, i) => {
    const at = phoff + i * PHDR_SIZE;
    const f = (k: number) => v.getUint32(at + 4 * k, true);
    return { type: f(0), offset: f(1), vaddr: f(2), paddr: f(3), filesz: f(4), memsz: f(5), flags: f(6), align: f(7) };
  });
}

/** The first PT_LOAD header of `elf` (the code segment of the committed images). */
export function firstLoad(elf: Uint8Array): Phdr {
  const load = programHeaders(elf).find((p) => p.type === PT_LOAD);
  if (load === undefined) throw new Error('the base image has no PT_LOAD segment');
  return load;
}

/** `elf` with its program header table replaced by `phdrs`, appended at the end of the file. */
export function withProgramHeaders(elf: Uint8Array, phdrs: readonly Phdr[]): Uint8Array {
  const at = elf.length + ((4 - (elf.length % 4)) % 4);
  const out = new Uint8Array(at + phdrs.length * PHDR_SIZE);
  out.set(elf);
  const v = view(out);
  phdrs.forEach((p, i) => {
    [p.type, p.offset, p.vaddr, p.paddr, p.filesz, p.memsz, p.flags, p.align].forEach((x, k) => v.setUint32(at + i * PHDR_SIZE + 4 * k, x >>> 0, true));
  });
  v.setUint32(EHDR_PHOFF, at, true);
  v.setUint16(EHDR_PHNUM, phdrs.length, true);
  return out;
}

/** `copies` PT_LOAD headers, all the code segment placed at the same address with p_memsz `memsz`. */
export function overlappingLoads(elf: Uint8Array, copies: number, memsz: number): Uint8Array {
  const load = firstLoad(elf);
  return withProgramHeaders(elf, Array.from({ length: copies }, () => ({ ...load, memsz })));
}

/** Every PT_LOAD header changed by `change` (in place on a copy of the table). */
export function mapLoads(elf: Uint8Array, change: (p: Phdr) => Phdr, entry?: number): Uint8Array {
  const out = withProgramHeaders(elf, programHeaders(elf).map((p) => (p.type === PT_LOAD ? change({ ...p }) : p)));
  if (entry !== undefined) view(out).setUint32(24, entry >>> 0, true);
  return out;
}

/**
 * A `.symtab` of `symbols` entries whose names start at string-table offsets 1, 2, 3, ... of a
 * `.strtab` of `strtabSize` bytes of 'A' (the last byte a NUL when `terminated`): every name runs
 * to the end of the table, so a parser that scans each name does quadratic work.
 */
export function overlappingNames(elf: Uint8Array, symbols: number, strtabSize: number, terminated: boolean): Uint8Array {
  const v0 = view(elf);
  const shoff = v0.getUint32(EHDR_SHOFF, true);
  const shnum = v0.getUint16(EHDR_SHNUM, true);
  let symtab = -1;
  for (let i = 0; i < shnum; i++) if (v0.getUint32(shoff + i * SHDR_SIZE + 4, true) === SHT_SYMTAB) symtab = i;
  if (symtab < 0) throw new Error('the base image has no .symtab');
  const strtab = v0.getUint32(shoff + symtab * SHDR_SIZE + 24, true);
  const symAt = elf.length + ((4 - (elf.length % 4)) % 4);
  const strAt = symAt + symbols * SYM_SIZE;
  const out = new Uint8Array(strAt + strtabSize);
  out.set(elf);
  const v = view(out);
  for (let n = 0; n < symbols; n++) {
    v.setUint32(symAt + n * SYM_SIZE, 1 + (n % (strtabSize - 1)), true); // st_name
    v.setUint32(symAt + n * SYM_SIZE + 4, 0x8000_0000 + n, true); // st_value
  }
  out.fill(0x41, strAt + 1, strAt + strtabSize);
  if (terminated) out[strAt + strtabSize - 1] = 0;
  const sh = (i: number, field: number, value: number) => v.setUint32(shoff + i * SHDR_SIZE + field, value, true);
  sh(symtab, 16, symAt);
  sh(symtab, 20, symbols * SYM_SIZE);
  sh(strtab, 16, strAt);
  sh(strtab, 20, strtabSize);
  return out;
}

const MiB = 1024 * 1024;

/**
 * The hostile files of issue 19, built from `base` (a committed image linked at 0x8000_0000,
 * e.g. hello.elf): each must be refused with an ElfError in time bounded by its size.
 */
export function hostileElfs(base: Uint8Array): HostileElf[] {
  const code = firstLoad(base);
  return [
    { name: 'overlap-4096x64MiB', description: '4,096 copies of one 64 MiB PT_LOAD segment', bytes: overlappingLoads(base, 4096, 64 * MiB) },
    { name: 'overlap-65535x120MiB', description: '65,535 copies of one 120 MiB PT_LOAD segment', bytes: overlappingLoads(base, 65535, 120 * MiB) },
    {
      name: 'strtab-no-nul-256KiB',
      description: 'a .symtab of 8,192 names running into a 128 KiB .strtab with no NUL',
      bytes: overlappingNames(base, 8192, 128 * 1024, false),
    },
    {
      name: 'strtab-no-nul-1MiB',
      description: 'a .symtab of 32,768 names running into a 512 KiB .strtab with no NUL',
      bytes: overlappingNames(base, 32768, 512 * 1024, false),
    },
    {
      name: 'strtab-overlapping-1MiB',
      description: '32,768 names, each a different suffix of one 512 KiB NUL-terminated string',
      bytes: overlappingNames(base, 32768, 512 * 1024, true),
    },
    {
      name: 'vaddr0-paddr-ram',
      description: 'p_vaddr 0, p_paddr 0x8000_0000, entry 0 (inside the virtual range only)',
      bytes: mapLoads(base, (p) => ({ ...p, vaddr: p.paddr - code.paddr }), 0),
    },
    {
      name: 'vaddr-wraps',
      description: 'the code segment at p_vaddr 0xffff_ff00, past 4 GiB, with the entry there',
      bytes: mapLoads(base, (p) => (p.offset === code.offset ? { ...p, vaddr: 0xffff_ff00 } : p), 0xffff_ff00),
    },
  ];
}

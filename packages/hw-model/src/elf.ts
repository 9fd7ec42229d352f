import type { Bus } from './bus.js';

/**
 * ELF32 executables for RISC-V (System V gABI "ELF Object File Format", and the RISC-V psABI for
 * EM_RISCV). Everything read from the file is checked before it is used, and a bad file gets an
 * `ElfError` that names the field and the values.
 */

export const EM_RISCV = 243;
export const ET_EXEC = 2;
export const PT_LOAD = 1;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;
const SHT_SYMTAB = 2;
const EHDR_SIZE = 52;
const PHDR_SIZE = 32;
const SHDR_SIZE = 40;
const SYM_SIZE = 16;

export class ElfError extends Error {
  override name = 'ElfError';
}

export interface ElfSegment {
  readonly index: number;
  readonly offset: number;
  readonly vaddr: number;
  /** Where the segment is loaded (QEMU's load_elf uses p_paddr too). */
  readonly paddr: number;
  readonly filesz: number;
  readonly memsz: number;
  /** PF_R | PF_W | PF_X bits. */
  readonly flags: number;
}

export interface ElfImage {
  readonly entry: number;
  /** The PT_LOAD segments, in file order. */
  readonly segments: readonly ElfSegment[];
  /** Values of the symbols in `.symtab` (empty when the file is stripped). */
  readonly symbols: ReadonlyMap<string, number>;
  readonly bytes: Uint8Array;
}

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

/** Parses and validates an ELF32 RISC-V executable (ET_EXEC). */
export function parseElf(bytes: Uint8Array): ElfImage {
  if (bytes.length < EHDR_SIZE) throw new ElfError(`file is ${bytes.length} bytes, shorter than the 52-byte ELF32 header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    const got = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new ElfError(`e_ident magic is ${got}, not 7f 45 4c 46 ("\\x7fELF")`);
  }
  if (bytes[4] !== 1) throw new ElfError(`e_ident[EI_CLASS] is ${bytes[4]}, not 1 (ELFCLASS32)`);
  if (bytes[5] !== 1) throw new ElfError(`e_ident[EI_DATA] is ${bytes[5]}, not 1 (ELFDATA2LSB)`);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const type = u16(16);
  if (type !== ET_EXEC) throw new ElfError(`e_type is ${type}, not 2 (ET_EXEC)`);
  const machine = u16(18);
  if (machine !== EM_RISCV) throw new ElfError(`e_machine is ${machine}, not 243 (EM_RISCV)`);
  const entry = u32(24);
  const phoff = u32(28);
  const phentsize = u16(42);
  const phnum = u16(44);
  if (phnum === 0) throw new ElfError('e_phnum is 0: no program headers, nothing to load');
  if (phentsize !== PHDR_SIZE) throw new ElfError(`e_phentsize is ${phentsize}, not 32`);
  if (phoff + phnum * PHDR_SIZE > bytes.length) {
    throw new ElfError(`program headers extend past end of file (e_phoff ${hex(phoff)} + ${phnum} * 32 > ${hex(bytes.length)})`);
  }

  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * PHDR_SIZE;
    if (u32(at) !== PT_LOAD) continue;
    const s: ElfSegment = {
      index: i,
      offset: u32(at + 4),
      vaddr: u32(at + 8),
      paddr: u32(at + 12),
      filesz: u32(at + 16),
      memsz: u32(at + 20),
      flags: u32(at + 24),
    };
    if (s.filesz > s.memsz) throw new ElfError(`segment ${i} has p_filesz ${hex(s.filesz)} > p_memsz ${hex(s.memsz)}`);
    if (s.offset + s.filesz > bytes.length) {
      throw new ElfError(`segment ${i} extends past end of file (offset ${hex(s.offset)} + ${hex(s.filesz)} > ${hex(bytes.length)})`);
    }
    if (s.paddr + s.memsz > 2 ** 32) throw new ElfError(`segment ${i} wraps past 4 GiB (paddr ${hex(s.paddr)} + ${hex(s.memsz)})`);
    segments.push(s);
  }
  if (segments.length === 0) throw new ElfError('no PT_LOAD segment');
  const inExecutable = segments.some((s) => s.flags & PF_X && entry >= s.vaddr && entry < s.vaddr + s.memsz);
  if (!inExecutable) throw new ElfError(`entry ${hex(entry)} is not inside an executable PT_LOAD segment`);

  return { entry, segments, symbols: readSymbols(bytes, view), bytes };
}

/** The `.symtab` symbols, by name (the first definition wins). */
function readSymbols(bytes: Uint8Array, view: DataView): Map<string, number> {
  const symbols = new Map<string, number>();
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const shoff = u32(32);
  const shnum = u16(48);
  if (shoff === 0 || shnum === 0) return symbols;
  if (u16(46) !== SHDR_SIZE) throw new ElfError(`e_shentsize is ${u16(46)}, not 40`);
  if (shoff + shnum * SHDR_SIZE > bytes.length) {
    throw new ElfError(`section headers extend past end of file (e_shoff ${hex(shoff)} + ${shnum} * 40 > ${hex(bytes.length)})`);
  }
  const section = (i: number) => {
    const at = shoff + i * SHDR_SIZE;
    return { type: u32(at + 4), offset: u32(at + 16), size: u32(at + 20), link: u32(at + 24) };
  };
  const decoder = new TextDecoder();
  for (let i = 0; i < shnum; i++) {
    const symtab = section(i);
    if (symtab.type !== SHT_SYMTAB) continue;
    if (symtab.offset + symtab.size > bytes.length) {
      throw new ElfError(`section ${i} (.symtab) extends past end of file (offset ${hex(symtab.offset)} + ${hex(symtab.size)} > ${hex(bytes.length)})`);
    }
    if (symtab.link >= shnum) throw new ElfError(`section ${i} (.symtab) links to string table ${symtab.link}, but there are ${shnum} sections`);
    const strtab = section(symtab.link);
    if (strtab.offset + strtab.size > bytes.length) {
      throw new ElfError(`section ${symtab.link} (.strtab) extends past end of file (offset ${hex(strtab.offset)} + ${hex(strtab.size)} > ${hex(bytes.length)})`);
    }
    for (let at = symtab.offset; at + SYM_SIZE <= symtab.offset + symtab.size; at += SYM_SIZE) {
      const nameOffset = u32(at);
      if (nameOffset === 0 || nameOffset >= strtab.size) continue;
      const start = strtab.offset + nameOffset;
      let end = start;
      while (end < strtab.offset + strtab.size && bytes[end] !== 0) end++;
      const name = decoder.decode(bytes.subarray(start, end));
      if (!symbols.has(name)) symbols.set(name, u32(at + 4));
    }
  }
  return symbols;
}

/** Checks that every segment lies in the bus's RAM. */
export function checkElfFitsRam(image: ElfImage, bus: Bus): void {
  const ramEnd = bus.ramBase + bus.ramSize;
  for (const s of image.segments) {
    if (s.memsz === 0) continue;
    if (!bus.isRam(s.paddr, s.memsz)) {
      throw new ElfError(
        `segment ${s.index} (paddr ${hex(s.paddr)} + memsz ${hex(s.memsz)}) lies outside RAM ${hex(bus.ramBase)}..${hex(ramEnd)}`,
      );
    }
  }
}

/**
 * Loads an executable into RAM at its physical addresses: file bytes, then zeros up to p_memsz
 * (gABI "Program Header": the bytes past p_filesz are zero). Returns the parsed image.
 */
export function loadElf(bus: Bus, bytes: Uint8Array): ElfImage {
  const image = parseElf(bytes);
  checkElfFitsRam(image, bus);
  for (const s of image.segments) {
    if (s.memsz === 0) continue;
    const content = new Uint8Array(s.memsz);
    content.set(bytes.subarray(s.offset, s.offset + s.filesz));
    bus.writeRam(s.paddr, content);
  }
  return image;
}

/** The end of the highest loaded segment (physical). */
export function elfLoadEnd(image: ElfImage): number {
  return image.segments.reduce((end, s) => Math.max(end, s.paddr + s.memsz), 0);
}

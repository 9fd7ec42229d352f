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
    if (s.paddr + s.memsz > 2 ** 32) throw new ElfError(`segment ${i} wraps past 4 GiB (p_paddr ${hex(s.paddr)} + p_memsz ${hex(s.memsz)})`);
    if (s.vaddr + s.memsz > 2 ** 32) throw new ElfError(`segment ${i} wraps past 4 GiB (p_vaddr ${hex(s.vaddr)} + p_memsz ${hex(s.memsz)})`);
    segments.push(s);
  }
  if (segments.length === 0) throw new ElfError('no PT_LOAD segment');
  refuseOverlaps(segments);
  // The loader puts segments at p_paddr and the hart starts with translation off, so the entry is
  // a physical address: it must fall inside the physical range of an executable segment.
  const inExecutable = segments.some((s) => s.flags & PF_X && entry >= s.paddr && entry < s.paddr + s.memsz);
  if (!inExecutable) throw new ElfError(`entry ${hex(entry)} is not inside an executable PT_LOAD segment's physical range (p_paddr..p_paddr + p_memsz)`);

  return { entry, segments, symbols: readSymbols(bytes, view), bytes };
}

/**
 * Two PT_LOAD segments whose physical ranges overlap are refused, as QEMU refuses them ("rom:
 * requested regions overlap" when its ELF loader registers the segments): the file has no single
 * meaning. With no overlap, the bytes a loader writes are at most the size of RAM. Sorting makes
 * the check O(n log n) in the number of segments.
 */
function refuseOverlaps(segments: readonly ElfSegment[]): void {
  const sorted = segments.filter((s) => s.memsz > 0).sort((a, b) => a.paddr - b.paddr || a.index - b.index);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1] as ElfSegment;
    const b = sorted[i] as ElfSegment;
    if (b.paddr < a.paddr + a.memsz) {
      const [first, second] = a.index < b.index ? [a, b] : [b, a];
      throw new ElfError(
        `segments ${first.index} and ${second.index} overlap: ${hex(first.paddr)}..${hex(first.paddr + first.memsz)} and ${hex(second.paddr)}..${hex(second.paddr + second.memsz)} (p_paddr + p_memsz)`,
      );
    }
  }
}

/**
 * The `.symtab` symbols, by name (the first definition wins). Work and memory are linear in the
 * file: there is at most one SHT_SYMTAB (gABI: one section of each of these types), every name
 * must end with a NUL inside its string table, each distinct name offset is decoded once, and the
 * names may not add up to more than `NAME_BUDGET_FACTOR` times the string table (a linker's tail
 * merging shares the ends of names; names that overlap beyond that are refused as hostile).
 */
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
  let symtabIndex = -1;
  for (let i = 0; i < shnum; i++) {
    if (section(i).type !== SHT_SYMTAB) continue;
    if (symtabIndex >= 0) throw new ElfError(`sections ${symtabIndex} and ${i} are both SHT_SYMTAB; an executable has at most one`);
    symtabIndex = i;
  }
  if (symtabIndex < 0) return symbols;
  const symtab = section(symtabIndex);
  const i = symtabIndex;
  if (symtab.offset + symtab.size > bytes.length) {
    throw new ElfError(`section ${i} (.symtab) extends past end of file (offset ${hex(symtab.offset)} + ${hex(symtab.size)} > ${hex(bytes.length)})`);
  }
  if (symtab.link >= shnum) throw new ElfError(`section ${i} (.symtab) links to string table ${symtab.link}, but there are ${shnum} sections`);
  const strtab = section(symtab.link);
  if (strtab.offset + strtab.size > bytes.length) {
    throw new ElfError(`section ${symtab.link} (.strtab) extends past end of file (offset ${hex(strtab.offset)} + ${hex(strtab.size)} > ${hex(bytes.length)})`);
  }
  const strEnd = strtab.offset + strtab.size;
  // Every byte looked at is charged to the budget (a NUL is searched for only as far as the
  // budget left reaches), so the scans add up to at most NAME_BUDGET_FACTOR * the table's size.
  let budget = NAME_BUDGET_FACTOR * strtab.size;
  const decoder = new TextDecoder();
  const names = new Map<number, string>();
  const symbolCount = Math.floor(symtab.size / SYM_SIZE);
  for (let n = 0; n < symbolCount; n++) {
    const at = symtab.offset + n * SYM_SIZE;
    const nameOffset = u32(at);
    if (nameOffset === 0) continue;
    if (nameOffset >= strtab.size) {
      throw new ElfError(`symbol ${n} of section ${i} (.symtab): st_name ${hex(nameOffset)} is outside its string table (section ${symtab.link}, ${hex(strtab.size)} bytes)`);
    }
    let name = names.get(nameOffset);
    if (name === undefined) {
      const start = strtab.offset + nameOffset;
      const window = Math.min(strEnd, start + budget + 1);
      const nul = bytes.subarray(start, window).indexOf(0);
      if (nul < 0 && window === strEnd) {
        throw new ElfError(`symbol ${n} of section ${i} (.symtab): its name at string table offset ${hex(nameOffset)} has no terminating NUL before the end of section ${symtab.link} (${hex(strtab.size)} bytes)`);
      }
      if (nul < 0) {
        throw new ElfError(`symbol ${n} of section ${i} (.symtab): the symbol names overlap to more than ${NAME_BUDGET_FACTOR} times the size of their string table (section ${symtab.link}, ${hex(strtab.size)} bytes)`);
      }
      budget -= nul + 1;
      name = decoder.decode(bytes.subarray(start, start + nul));
      names.set(nameOffset, name);
    }
    if (!symbols.has(name)) symbols.set(name, u32(at + 4));
  }
  return symbols;
}

/** How many bytes of names the symbol table may decode, per byte of its string table. */
const NAME_BUDGET_FACTOR = 4;

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
  // parseElf refused overlapping segments and checkElfFitsRam put each inside RAM: the bytes
  // written below add up to at most the size of RAM, whatever the headers say.
  for (const s of image.segments) {
    if (s.memsz === 0) continue;
    bus.writeRam(s.paddr, bytes.subarray(s.offset, s.offset + s.filesz));
    bus.fillRam(s.paddr + s.filesz, s.memsz - s.filesz, 0);
  }
  return image;
}

/** The end of the highest loaded segment (physical). */
export function elfLoadEnd(image: ElfImage): number {
  return image.segments.reduce((end, s) => Math.max(end, s.paddr + s.memsz), 0);
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Bus } from './bus.js';
import { ElfError, loadElf, parseElf } from './elf.js';
import { firstLoad, hostileElfs, imagePath, mapLoads, overlappingNames, withProgramHeaders } from '../test-programs/programs.js';
import { has, timedError as timed } from './test-support/tools.js';

/**
 * A minimal ELF32 RISC-V executable written field by field from the gABI: header, one PT_LOAD
 * program header (R+X) with 8 bytes of code and 8 bytes of bss, no sections.
 */
function tinyElf(overrides: { machine?: number; paddr?: number; entry?: number; memsz?: number; flags?: number } = {}): Uint8Array {
  const b = new Uint8Array(0x80);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]); // magic, ELFCLASS32, ELFDATA2LSB, EV_CURRENT
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, overrides.machine ?? 243, true); // EM_RISCV
  v.setUint32(20, 1, true);
  v.setUint32(24, overrides.entry ?? 0x8000_0000, true);
  v.setUint32(28, 52, true); // e_phoff
  v.setUint16(40, 52, true); // e_ehsize
  v.setUint16(42, 32, true); // e_phentsize
  v.setUint16(44, 1, true); // e_phnum
  v.setUint16(46, 40, true);
  const ph = 52;
  v.setUint32(ph, 1, true); // PT_LOAD
  v.setUint32(ph + 4, 0x60, true); // p_offset
  v.setUint32(ph + 8, overrides.paddr ?? 0x8000_0000, true); // p_vaddr
  v.setUint32(ph + 12, overrides.paddr ?? 0x8000_0000, true); // p_paddr
  v.setUint32(ph + 16, 8, true); // p_filesz
  v.setUint32(ph + 20, overrides.memsz ?? 16, true); // p_memsz
  v.setUint32(ph + 24, overrides.flags ?? 5, true); // PF_R | PF_X
  v.setUint32(0x60, 0x0000_006f, true); // j . (jal x0, 0)
  v.setUint32(0x64, 0x1234_5678, true);
  return b.subarray(0, 0x68);
}

const dir = mkdtempSync(join(tmpdir(), 'virtlab-elf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ELF32 loader', () => {
  it('loads file bytes at p_paddr and zero-fills up to p_memsz', () => {
    const bus = new Bus(0x8000_0000, 1 << 16);
    bus.ram.fill(0xee);
    const image = loadElf(bus, tinyElf());
    expect(image.entry).toBe(0x8000_0000);
    expect(bus.read(0x8000_0000, 4)).toBe(0x6f);
    expect(bus.read(0x8000_0004, 4)).toBe(0x1234_5678);
    expect(bus.read(0x8000_0008, 4)).toBe(0);
    expect(bus.read(0x8000_000c, 4)).toBe(0);
    expect(bus.read(0x8000_0010, 1)).toBe(0xee); // past p_memsz: untouched
  });

  it('rejects a truncated file, naming the segment and the numbers', () => {
    const elf = tinyElf();
    expect(() => parseElf(elf.subarray(0, 0x64))).toThrow(new ElfError('segment 0 extends past end of file (offset 0x60 + 0x8 > 0x64)'));
    expect(() => parseElf(elf.subarray(0, 40))).toThrow(/shorter than the 52-byte ELF32 header/);
    expect(() => parseElf(elf.subarray(0, 60))).toThrow(/program headers extend past end of file \(e_phoff 0x34 \+ 1 \* 32 > 0x3c\)/);
  });

  it('rejects the wrong machine, class, byte order and type', () => {
    expect(() => parseElf(tinyElf({ machine: 62 }))).toThrow(new ElfError('e_machine is 62, not 243 (EM_RISCV)'));
    const c64 = tinyElf().slice();
    c64[4] = 2;
    expect(() => parseElf(c64)).toThrow(/EI_CLASS\] is 2, not 1 \(ELFCLASS32\)/);
    const be = tinyElf().slice();
    be[5] = 2;
    expect(() => parseElf(be)).toThrow(/EI_DATA\] is 2/);
    const dyn = tinyElf().slice();
    dyn[16] = 3;
    expect(() => parseElf(dyn)).toThrow(/e_type is 3, not 2 \(ET_EXEC\)/);
    expect(() => parseElf(new TextEncoder().encode('#!/bin/sh\necho this is not an ELF file at all, not even close\n'))).toThrow(/magic is 23 21 2f 62/);
  });

  it('rejects a segment outside RAM, and one with p_filesz > p_memsz', () => {
    const bus = new Bus(0x8000_0000, 1 << 16);
    expect(() => loadElf(bus, tinyElf({ paddr: 0x1000_0000, entry: 0x1000_0000 }))).toThrow(
      new ElfError('segment 0 (paddr 0x10000000 + memsz 0x10) lies outside RAM 0x80000000..0x80010000'),
    );
    expect(() => loadElf(bus, tinyElf({ paddr: 0x8000_fff8, entry: 0x8000_fff8 }))).toThrow(/outside RAM/);
    expect(() => parseElf(tinyElf({ memsz: 4 }))).toThrow(/p_filesz 0x8 > p_memsz 0x4/);
  });

  it('rejects an entry outside every executable segment', () => {
    expect(() => parseElf(tinyElf({ entry: 0x8000_1000 }))).toThrow(
      new ElfError("entry 0x80001000 is not inside an executable PT_LOAD segment's physical range (p_paddr..p_paddr + p_memsz)"),
    );
    expect(() => parseElf(tinyElf({ flags: 6 }))).toThrow(/not inside an executable/); // R+W only
  });

  it.skipIf(!has('clang') || !has('ld.lld') || !has('llvm-nm'))('reads tohost/fromhost from a clang-built executable (skipped: needs clang, ld.lld, llvm-nm)', () => {
    const src = join(dir, 't.S');
    const out = join(dir, 't.elf');
    writeFileSync(
      src,
      '.globl _start\n_start: j _start\n.section .tohost,"aw"\n.align 6\n.globl tohost\ntohost: .dword 0\n.align 6\n.globl fromhost\nfromhost: .dword 0\n',
    );
    execFileSync('clang', ['--target=riscv32-unknown-elf', '-march=rv32ima', '-mabi=ilp32', '-nostdlib', '-fuse-ld=lld', '-Wl,-Ttext=0x80000000', '-o', out, src]);
    const image = parseElf(readFileSync(out));
    const nm = execFileSync('llvm-nm', [out], { encoding: 'utf8' });
    const fromNm = (name: string) => Number.parseInt(/^([0-9a-f]+) \w (\w+)$/m.exec(nm.split('\n').find((l) => l.endsWith(` ${name}`)) ?? '')?.[1] ?? 'x', 16);
    expect(image.symbols.get('tohost')).toBe(fromNm('tohost'));
    expect(image.symbols.get('fromhost')).toBe(fromNm('fromhost'));
    expect(image.symbols.get('_start')).toBe(0x8000_0000);
    expect(image.entry).toBe(0x8000_0000);
  });
});

const MiB = 1024 * 1024;
const hello = new Uint8Array(readFileSync(imagePath('hello')));
const hostile = new Map(hostileElfs(hello).map((h) => [h.name, h.bytes]));
const file = (name: string) => hostile.get(name) ?? new Uint8Array(0);


describe('hostile ELF files (issue 19), built from hello.elf', () => {
  it('overlapping PT_LOAD segments are refused, naming both, before anything is written', () => {
    const bus = new Bus(0x8000_0000, 128 * MiB);
    const overlapMessage = /^segments 0 and 1 overlap: 0x80000000\.\.0x84000000 and 0x80000000\.\.0x84000000 \(p_paddr \+ p_memsz\)$/;
    expect(file('overlap-4096x64MiB').length).toBeLessThan(160 * 1024);
    const a = timed(() => loadElf(bus, file('overlap-4096x64MiB')));
    expect(a.error).toBeInstanceOf(ElfError);
    expect((a.error as Error).message).toMatch(overlapMessage);
    const b = timed(() => loadElf(bus, file('overlap-65535x120MiB')));
    expect(b.error).toBeInstanceOf(ElfError);
    expect((b.error as Error).message).toMatch(/^segments 0 and 1 overlap: 0x80000000\.\.0x87800000 and 0x80000000\.\.0x87800000/);
    expect(bus.read(0x8000_0000, 4)).toBe(0); // refused before loading: RAM untouched
    // A partial overlap names the two segments concerned, whatever their order in the file.
    const code = firstLoad(hello);
    const partial = withProgramHeaders(hello, [
      { ...code, paddr: 0x8000_2000, vaddr: 0x8000_2000, memsz: 0x1000 },
      code,
      { ...code, paddr: 0x8000_1000, vaddr: 0x8000_1000, filesz: 0, memsz: 0x1001, flags: 6 },
    ]);
    expect(() => parseElf(partial)).toThrow(new ElfError('segments 0 and 2 overlap: 0x80002000..0x80003000 and 0x80001000..0x80002001 (p_paddr + p_memsz)'));
    // Touching ranges and empty segments are not overlaps.
    const touching = withProgramHeaders(hello, [code, { ...code, paddr: 0x8000_1000, vaddr: 0x8000_1000, filesz: 0, memsz: 0x1000, flags: 6 }, { ...code, memsz: 0, filesz: 0 }]);
    expect(parseElf(touching).segments).toHaveLength(3);
    // The refusals take time bounded by the headers, not by the sum of p_memsz (256 GiB, 7.7 TiB).
    expect(a.ms + b.ms).toBeLessThan(1000);
  });

  it('loading writes at most RAM size bytes: a segment of RAM size loads, one a byte larger is refused', () => {
    const bus = new Bus(0x8000_0000, 4 * MiB);
    const code = firstLoad(hello);
    bus.ram.fill(0xee);
    const image = loadElf(bus, withProgramHeaders(hello, [{ ...code, memsz: 4 * MiB }]));
    expect(image.segments[0]?.memsz).toBe(4 * MiB);
    expect(bus.read(0x8000_0000, 4)).toBe(new DataView(hello.buffer, hello.byteOffset).getUint32(code.offset, true));
    expect(bus.read(0x8000_0000 + 4 * MiB - 4, 4)).toBe(0); // zero-filled to p_memsz
    expect(() => loadElf(bus, withProgramHeaders(hello, [{ ...code, memsz: 4 * MiB + 1 }]))).toThrow(
      new ElfError('segment 0 (paddr 0x80000000 + memsz 0x400001) lies outside RAM 0x80000000..0x80400000'),
    );
  });

  it('symbol names without a NUL in their .strtab are an ElfError naming the symbol, found in linear time', () => {
    const small = timed(() => parseElf(file('strtab-no-nul-256KiB')));
    const large = timed(() => parseElf(file('strtab-no-nul-1MiB')));
    for (const r of [small, large]) expect(r.error).toBeInstanceOf(ElfError);
    expect((small.error as Error).message).toBe(
      'symbol 0 of section 8 (.symtab): its name at string table offset 0x1 has no terminating NUL before the end of section 10 (0x20000 bytes)',
    );
    expect(file('strtab-no-nul-1MiB').length).toBeGreaterThan(MiB);
    expect(small.ms + large.ms).toBeLessThan(1000);
  });

  it('names that overlap beyond 4x their string table are refused; a real tail-merged table is not', () => {
    const r = timed(() => parseElf(file('strtab-overlapping-1MiB')));
    expect(r.error).toBeInstanceOf(ElfError);
    expect((r.error as Error).message).toMatch(/^symbol 4 of section 8 \(\.symtab\): the symbol names overlap to more than 4 times the size of their string table/);
    expect(r.ms).toBeLessThan(1000);
    // Tail merging as linkers do it: "main" inside "domain", "in" inside both; every name resolves.
    const merged = overlappingNames(hello, 3, 16, true);
    const v = new DataView(merged.buffer);
    const strAt = merged.length - 16;
    merged.set(new TextEncoder().encode('\0domain\0'), strAt);
    [3, 1, 5].forEach((off, n) => v.setUint32(merged.length - 16 - 3 * 16 + n * 16, off, true));
    const symbols = parseElf(merged).symbols;
    expect([...symbols.keys()]).toEqual(['main', 'domain', 'in']);
    expect(symbols.get('domain')).toBe(0x8000_0001);
  });

  it('a symbol whose st_name lies outside its string table is refused', () => {
    const elf = overlappingNames(hello, 2, 16, true);
    new DataView(elf.buffer).setUint32(elf.length - 16 - 2 * 16 + 16, 16, true);
    expect(() => parseElf(elf)).toThrow(new ElfError('symbol 1 of section 8 (.symtab): st_name 0x10 is outside its string table (section 10, 0x10 bytes)'));
  });

  it('the entry is checked against the physical range the loader uses (p_paddr), as QEMU loads at p_paddr', () => {
    expect(() => parseElf(file('vaddr0-paddr-ram'))).toThrow(
      new ElfError("entry 0x0 is not inside an executable PT_LOAD segment's physical range (p_paddr..p_paddr + p_memsz)"),
    );
    // The same file with its entry at the physical address loads there, and the hart would start in RAM.
    const physical = mapLoads(hello, (p) => ({ ...p, vaddr: p.paddr - 0x8000_0000 }), 0x8000_0000);
    const bus = new Bus(0x8000_0000, 1 << 16);
    const image = loadElf(bus, physical);
    expect(image.entry).toBe(0x8000_0000);
    expect(image.segments[0]).toMatchObject({ vaddr: 0, paddr: 0x8000_0000 });
    expect(bus.readRam(0x8000_0000, 16)).toEqual(hello.subarray(0x1000, 0x1010));
  });

  it('ranges that wrap past 4 GiB are refused, in p_vaddr as in p_paddr', () => {
    expect(() => parseElf(file('vaddr-wraps'))).toThrow(new ElfError('segment 0 wraps past 4 GiB (p_vaddr 0xffffff00 + p_memsz 0x56c)'));
    const code = firstLoad(hello);
    expect(() => parseElf(withProgramHeaders(hello, [{ ...code, paddr: 0xffff_f000, memsz: 0x1001 }]))).toThrow(
      new ElfError('segment 0 wraps past 4 GiB (p_paddr 0xfffff000 + p_memsz 0x1001)'),
    );
  });

  it('a second SHT_SYMTAB is refused (one table, so parsing does not repeat per section)', () => {
    const elf = hello.slice();
    const v = new DataView(elf.buffer);
    const shoff = v.getUint32(32, true);
    v.setUint32(shoff + 9 * 40 + 4, 2, true); // .shstrtab relabelled SHT_SYMTAB
    expect(() => parseElf(elf)).toThrow(new ElfError('sections 8 and 9 are both SHT_SYMTAB; an executable has at most one'));
  });

  it('every hostile file of the issue is refused with an ElfError', () => {
    for (const [name, bytes] of hostile) {
      const r = timed(() => loadElf(new Bus(0x8000_0000, 1 << 20), bytes));
      expect(r.error, name).toBeInstanceOf(ElfError);
    }
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Bus } from './bus.js';
import { ElfError, loadElf, parseElf } from './elf.js';
import { has } from './test-support/tools.js';

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
    expect(() => parseElf(tinyElf({ entry: 0x8000_1000 }))).toThrow(new ElfError('entry 0x80001000 is not inside an executable PT_LOAD segment'));
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

import { describe, expect, it } from 'vitest';
import { createVirtBoard } from './board.js';
import { BootError, FW_DYNAMIC_INFO_MAGIC, bootBareElf, bootQemu } from './boot.js';
import { ElfError } from './elf.js';

/** A raw image of `n` words, each its own index (easy to recognise in RAM). */
const raw = (n: number) => new Uint8Array(Uint32Array.from({ length: n }, (_, i) => i + 1).buffer);

/** Minimal ELF32 RISC-V executable with `tohost` in .symtab (gABI field by field). */
function htifElf(withSymbols = true): Uint8Array {
  const b = new Uint8Array(0x200);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  v.setUint16(16, 2, true);
  v.setUint16(18, 243, true);
  v.setUint32(20, 1, true);
  v.setUint32(24, 0x8000_0000, true);
  v.setUint32(28, 52, true);
  v.setUint16(42, 32, true);
  v.setUint16(44, 1, true);
  v.setUint16(46, 40, true);
  // PT_LOAD R+W+X: 0x100 bytes of file at 0x8000_0000.
  v.setUint32(52, 1, true);
  v.setUint32(56, 0x100, true);
  v.setUint32(60, 0x8000_0000, true);
  v.setUint32(64, 0x8000_0000, true);
  v.setUint32(68, 0x100, true);
  v.setUint32(72, 0x100, true);
  v.setUint32(76, 7, true);
  if (withSymbols) {
    // Sections: 0 null, 1 .symtab (at 0x80, 3 symbols), 2 .strtab (at 0xb0).
    const shoff = 0x140;
    v.setUint32(32, shoff, true);
    v.setUint16(48, 3, true);
    const sh = (i: number, type: number, off: number, size: number, link: number) => {
      const at = shoff + 40 * i;
      v.setUint32(at + 4, type, true);
      v.setUint32(at + 16, off, true);
      v.setUint32(at + 20, size, true);
      v.setUint32(at + 24, link, true);
    };
    sh(1, 2, 0x80, 48, 2);
    sh(2, 3, 0xb0, 32, 0);
    b.set(new TextEncoder().encode('\0tohost\0fromhost\0'), 0xb0);
    v.setUint32(0x80 + 16, 1, true); // name "tohost"
    v.setUint32(0x80 + 20, 0x8000_0040, true);
    v.setUint32(0x80 + 32, 8, true); // name "fromhost"
    v.setUint32(0x80 + 36, 0x8000_0048, true);
  }
  return b;
}

describe("QEMU's boot protocol", () => {
  it('places firmware, kernel, initrd and device tree where QEMU 7.2 does with 128 MiB', () => {
    const board = createVirtBoard({ bootargs: 'console=ttyS0' });
    const r = bootQemu(board, { firmware: raw(64), kernel: raw(16), initrd: raw(8) });
    // QEMU-NOTES.md: a0 = 0, a1 = 0x87e0_0000, a2 = 0x1028, start in M-mode at 0x8000_0000.
    expect(r.state).toMatchObject({ pc: 0x8000_0000, privilege: 3, a0: 0, a1: 0x87e0_0000, a2: 0x1028 });
    expect(r.state.registers[10]).toBe(0);
    expect(r.state.registers[11]).toBe(0x87e0_0000);
    expect(r.state.registers[12]).toBe(0x1028);
    expect(r.kernelEntry).toBe(0x8040_0000);
    expect(r.initrd).toEqual({ start: 0x8440_0000, end: 0x8440_0020 });
    expect(board.bus.read(0x8000_0000, 4)).toBe(1);
    expect(board.bus.read(0x8040_0000 + 4 * 15, 4)).toBe(16);
    expect(board.bus.read(0x8440_0000 + 4 * 7, 4)).toBe(8);
    expect([...board.bus.readRam(0x87e0_0000, 4)]).toEqual([0xd0, 0x0d, 0xfe, 0xed]); // big-endian magic
    expect(board.bus.readRam(0x87e0_0000, r.fdt.length)).toEqual(r.fdt);
  });

  it("fills the mask ROM with QEMU's reset vector and fw_dynamic_info (magic, version, next_addr, next_mode S)", () => {
    const board = createVirtBoard();
    bootQemu(board, { firmware: raw(4), kernel: raw(4) });
    const rom = (a: number) => board.bus.read(a, 4);
    expect(rom(0x1000)).toBe(0x00000297); // auipc t0, 0
    expect(rom(0x1000 + 24)).toBe(0x8000_0000); // start
    expect(rom(0x1000 + 32)).toBe(0x87e0_0000); // fdt_laddr
    expect(rom(0x1028)).toBe(FW_DYNAMIC_INFO_MAGIC);
    expect(rom(0x1028)).toBe(0x4942534f);
    expect(rom(0x102c)).toBe(2);
    expect(rom(0x1030)).toBe(0x8040_0000);
    expect(rom(0x1034)).toBe(1);
    board.bus.write(0x1028, 0, 4); // ROM ignores writes
    expect(rom(0x1028)).toBe(0x4942534f);
  });

  it('scales the initrd and FDT addresses with RAM size as QEMU does', () => {
    const board = createVirtBoard({ ramSize: 64 * 1024 * 1024 });
    const r = bootQemu(board, { firmware: raw(4), kernel: raw(4), initrd: raw(4) });
    expect(r.initrd?.start).toBe(0x8040_0000 + 32 * 1024 * 1024);
    expect(r.fdtAddress).toBe(0x83e0_0000);
  });

  it('refuses images that do not fit, with a typed error', () => {
    const small = createVirtBoard({ ramSize: 8 * 1024 * 1024 });
    expect(() => bootQemu(small, { firmware: new Uint8Array(9 * 1024 * 1024) })).toThrow(BootError);
    expect(() => bootQemu(createVirtBoard(), { firmware: raw(4), initrd: raw(4) })).toThrow(/needs a kernel/);
    expect(() => bootQemu(createVirtBoard(), { firmware: raw(4), kernel: htifElf().subarray(0, 0x80) })).toThrow(ElfError);
  });
});

describe('bare-ELF boot', () => {
  it('loads the ELF at its link address and starts in M-mode at the entry with a1 = FDT', () => {
    const board = createVirtBoard();
    const r = bootBareElf(board, htifElf());
    expect(r.state).toMatchObject({ pc: 0x8000_0000, privilege: 3, a0: 0, a1: 0x87e0_0000, a2: 0x1028 });
    expect(board.htif).toBeUndefined();
  });

  it('with HTIF, ends the run when the guest writes (code << 1) | 1 to tohost', () => {
    const board = createVirtBoard();
    bootBareElf(board, htifElf(), { htif: true });
    expect(board.htif).toEqual({ tohost: 0x8000_0040, fromhost: 0x8000_0048 });
    expect(board.pollHtif()).toBe(false);
    board.bus.write(0x8000_0040, (5 << 1) | 1, 4);
    expect(board.pollHtif()).toBe(true);
    expect(board.halt.reason).toEqual({ kind: 'poweroff', exitCode: 5 });
    const pass = createVirtBoard();
    bootBareElf(pass, htifElf(), { htif: true });
    pass.bus.write(0x8000_0040, 1, 4);
    pass.pollHtif();
    expect(pass.halt.reason).toEqual({ kind: 'poweroff', exitCode: 0 });
  });

  it('asks for a tohost symbol when HTIF is on and the ELF has none', () => {
    expect(() => bootBareElf(createVirtBoard(), htifElf(false), { htif: true })).toThrow(/needs a `tohost` symbol/);
  });
});

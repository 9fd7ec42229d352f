import type { VirtBoard } from './board.js';
import type { ElfImage } from './elf.js';
import { ElfError, elfLoadEnd, loadElf } from './elf.js';
import { MiB, VIRT } from './virt-memory-map.js';

/** Privilege levels as encoded in mstatus.MPP (priv 1.12 table 1.1). */
export type PrivilegeLevel = 0 | 1 | 3;
export const PRIV_M: PrivilegeLevel = 3;

/** Where and how the hart starts: plain data for the hart's constructor or reset. */
export interface InitialHartState {
  readonly pc: number;
  readonly privilege: PrivilegeLevel;
  /** Hart id (mhartid), as QEMU's reset vector leaves it in a0. */
  readonly a0: number;
  /** Physical address of the device tree. */
  readonly a1: number;
  /** Physical address of the `fw_dynamic_info` block in the mask ROM. */
  readonly a2: number;
  /** x0..x31 with the values above (and t0 = the entry, as QEMU's `jr t0` leaves it); others 0. */
  readonly registers: readonly number[];
}

export class BootError extends Error {
  override name = 'BootError';
}

export interface BootResult {
  readonly state: InitialHartState;
  readonly fdtAddress: number;
  readonly fdt: Uint8Array;
}

/** QEMU's `fw_dynamic_info` (OpenSBI include/sbi/fw_dynamic.h, version 2), placed after the reset vector. */
export const FW_DYNAMIC_INFO_MAGIC = 0x4942534f; // "OSBI"
export const FW_DYNAMIC_INFO_ADDRESS = VIRT.mrom.base + 0x28;
const FW_DYNAMIC_INFO_VERSION = 2;
const FW_DYNAMIC_INFO_NEXT_MODE_S = 1;

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;
const isElf = (b: Uint8Array) => b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

function alignDown(n: number, a: number): number {
  return Math.floor(n / a) * a;
}

/**
 * Writes QEMU's rv32 reset vector and `fw_dynamic_info` into the mask ROM (hw/riscv/boot.c
 * riscv_setup_rom_reset_vec), so a guest that looks at 0x1000 sees what it would see under QEMU.
 */
function programRom(board: VirtBoard, startAddress: number, fdtAddress: number, nextAddress: number): void {
  board.rom.program(0, [
    0x00000297, // 1: auipc t0, %pcrel_hi(fw_dyn)
    0x02828613, //    addi a2, t0, %pcrel_lo(1b)
    0xf1402573, //    csrr a0, mhartid
    0x0202a583, //    lw a1, 32(t0)
    0x0182a283, //    lw t0, 24(t0)
    0x00028067, //    jr t0
    startAddress,
    0,
    fdtAddress,
    0,
    FW_DYNAMIC_INFO_MAGIC,
    FW_DYNAMIC_INFO_VERSION,
    nextAddress,
    FW_DYNAMIC_INFO_NEXT_MODE_S,
    0, // options
    0, // boot_hart
  ]);
}

/** QEMU's FDT placement (hw/riscv/boot.c riscv_load_fdt): 2 MiB-aligned, below the end of RAM or 3 GiB. */
function fdtAddressFor(board: VirtBoard, fdtSize: number): number {
  const ramEnd = board.bus.ramBase + board.bus.ramSize;
  return alignDown(Math.min(ramEnd, 3072 * MiB) - fdtSize, 2 * MiB);
}

function placeFdt(board: VirtBoard, fdt: Uint8Array, occupied: readonly [number, number][]): number {
  const address = fdtAddressFor(board, fdt.length);
  if (address < board.bus.ramBase) throw new BootError(`RAM of ${hex(board.ramSize)} bytes is too small for the device tree`);
  for (const [start, end] of occupied) {
    if (address < end && start < address + fdt.length) {
      throw new BootError(`device tree at ${hex(address)}+${hex(fdt.length)} would overlap an image at ${hex(start)}..${hex(end)}; give the board more RAM`);
    }
  }
  board.bus.writeRam(address, fdt);
  return address;
}

function initialState(pc: number, fdtAddress: number): InitialHartState {
  const registers = new Array<number>(32).fill(0);
  registers[5] = pc; // t0, from `lw t0, 24(t0); jr t0`
  registers[10] = 0;
  registers[11] = fdtAddress;
  registers[12] = FW_DYNAMIC_INFO_ADDRESS;
  return { pc, privilege: PRIV_M, a0: 0, a1: fdtAddress, a2: FW_DYNAMIC_INFO_ADDRESS, registers };
}

function loadImage(board: VirtBoard, bytes: Uint8Array, rawAddress: number, what: string): { entry: number; start: number; end: number; elf?: ElfImage } {
  try {
    if (isElf(bytes)) {
      const elf = loadElf(board.bus, bytes);
      const start = Math.min(...elf.segments.map((s) => s.paddr));
      return { entry: elf.entry, start, end: elfLoadEnd(elf), elf };
    }
  } catch (error) {
    if (error instanceof ElfError) throw new ElfError(`${what}: ${error.message}`);
    throw error;
  }
  if (!board.bus.isRam(rawAddress, Math.max(1, bytes.length))) {
    throw new BootError(`${what}: ${bytes.length} bytes at ${hex(rawAddress)} do not fit in RAM ${hex(board.bus.ramBase)}..${hex(board.bus.ramBase + board.ramSize)}`);
  }
  board.bus.writeRam(rawAddress, bytes);
  return { entry: rawAddress, start: rawAddress, end: rawAddress + bytes.length };
}

export interface QemuBootOptions {
  /** M-mode firmware: an ELF (loaded at its addresses) or a raw binary (at 0x8000_0000). */
  readonly firmware: Uint8Array;
  /** S-mode kernel: an ELF at its link address or a raw binary at the next 4 MiB boundary after the firmware. */
  readonly kernel?: Uint8Array;
  readonly initrd?: Uint8Array;
  /** Overrides the board's bootargs. */
  readonly bootargs?: string;
}

export interface QemuBootResult extends BootResult {
  readonly firmwareEntry: number;
  readonly kernelEntry: number | undefined;
  readonly initrd: { readonly start: number; readonly end: number } | undefined;
}

/**
 * QEMU's boot protocol for `-M virt -bios FW -kernel K -initrd RD -append ARGS` (QEMU-NOTES.md):
 * firmware at 0x8000_0000, the kernel at 0x8040_0000 (the 4 MiB boundary after the firmware),
 * the initrd at kernel + min(RAM/2, 128 MiB), the device tree 2 MiB-aligned below the end of
 * RAM; the hart starts in M-mode at the firmware with a0 = 0, a1 = FDT, a2 = fw_dynamic_info.
 */
export function bootQemu(board: VirtBoard, options: QemuBootOptions): QemuBootResult {
  const occupied: [number, number][] = [];
  const firmware = loadImage(board, options.firmware, VIRT.dram.base, 'firmware');
  occupied.push([firmware.start, firmware.end]);
  // hw/riscv/boot.c riscv_calc_kernel_start_addr: rv32 kernels start on a 4 MiB boundary.
  const kernelStart = alignUp(firmware.end, 4 * MiB);
  let kernelEntry: number | undefined;
  let initrd: { start: number; end: number } | undefined;
  if (options.kernel !== undefined) {
    const kernel = loadImage(board, options.kernel, kernelStart, 'kernel');
    if (kernel.start < firmware.end && firmware.start < kernel.end) {
      throw new BootError(`kernel ${hex(kernel.start)}..${hex(kernel.end)} overlaps the firmware ${hex(firmware.start)}..${hex(firmware.end)}`);
    }
    occupied.push([kernel.start, kernel.end]);
    kernelEntry = kernel.entry;
    if (options.initrd !== undefined) {
      // hw/riscv/boot.c riscv_load_initrd.
      const start = kernel.entry + Math.min(board.ramSize / 2, 128 * MiB);
      const end = start + options.initrd.length;
      if (!board.bus.isRam(start, Math.max(1, options.initrd.length))) {
        throw new BootError(`initrd of ${hex(options.initrd.length)} bytes at ${hex(start)} does not fit in RAM`);
      }
      if (start < kernel.end) throw new BootError(`initrd at ${hex(start)} overlaps the kernel (ends ${hex(kernel.end)})`);
      board.bus.writeRam(start, options.initrd);
      occupied.push([start, end]);
      initrd = { start, end };
    }
  } else if (options.initrd !== undefined) {
    throw new BootError('an initrd needs a kernel (QEMU refuses -initrd without -kernel too)');
  }
  const fdt = board.deviceTree({ bootargs: options.bootargs ?? board.bootargs, initrd });
  const fdtAddress = placeFdt(board, fdt, occupied);
  programRom(board, firmware.entry, fdtAddress, kernelEntry ?? 0);
  return { state: initialState(firmware.entry, fdtAddress), fdtAddress, fdt, firmwareEntry: firmware.entry, kernelEntry, initrd };
}

export interface BareElfBootOptions {
  /** Look up `tohost`/`fromhost` and arm the board's HTIF exit (riscv-tests' convention). */
  readonly htif?: boolean;
}

export interface BareElfBootResult extends BootResult {
  readonly image: ElfImage;
}

/**
 * `qemu-system-riscv32 -M virt -bios none -kernel prog.elf`: the ELF at its link address, the
 * device tree placed as QEMU places it, the hart in M-mode at the entry. With `htif`, the ELF's
 * `tohost` symbol is required and the board ends the run when the guest writes (code << 1) | 1.
 */
export function bootBareElf(board: VirtBoard, elf: Uint8Array, options: BareElfBootOptions = {}): BareElfBootResult {
  const image = loadElf(board.bus, elf);
  if (options.htif === true) {
    const tohost = image.symbols.get('tohost');
    if (tohost === undefined) throw new ElfError('--htif needs a `tohost` symbol, and the ELF has none (stripped, or not an HTIF program)');
    if (!board.bus.isRam(tohost, 8)) throw new ElfError(`tohost at ${hex(tohost)} is not in RAM`);
    board.htif = { tohost, fromhost: image.symbols.get('fromhost') };
  }
  const occupied = image.segments.map((s): [number, number] => [s.paddr, s.paddr + s.memsz]);
  const fdt = board.deviceTree();
  const fdtAddress = placeFdt(board, fdt, occupied);
  programRom(board, image.entry, fdtAddress, image.entry);
  return { state: initialState(image.entry, fdtAddress), fdtAddress, fdt, image };
}

/** The memory map and interrupt numbers of QEMU's `virt` machine (hw/riscv/virt.c, QEMU 7.2). */
export const VIRT = {
  mrom: { base: 0x0000_1000, size: 0xf000 },
  test: { base: 0x0010_0000, size: 0x1000 },
  clint: { base: 0x0200_0000, size: 0x10000 },
  plic: { base: 0x0c00_0000, size: 0x600000 },
  uart0: { base: 0x1000_0000, size: 0x100, irq: 10 },
  virtio: { base: 0x1000_1000, size: 0x1000, count: 8, firstIrq: 1 },
  dram: { base: 0x8000_0000 },
} as const;

export const MiB = 1024 * 1024;
export const DEFAULT_RAM_SIZE = 128 * MiB;
/** The UART's input clock as QEMU advertises it (`clock-frequency`, 3.6864 MHz). */
export const UART_CLOCK_FREQUENCY = 3_686_400;
/** The ISA string we advertise: what cpu-core implements. */
export const RISCV_ISA = 'rv32ima_zicsr_zifencei';

import type { FdtNode } from './fdt.js';
import { encodeFdt, node } from './fdt.js';
import { PLIC_NDEV } from './plic.js';
import { RISCV_ISA, UART_CLOCK_FREQUENCY, VIRT } from './virt-memory-map.js';

export interface VirtDeviceTreeOptions {
  readonly ramSize: number;
  readonly timebaseFrequency: number;
  readonly bootargs?: string;
  /** Physical range [start, end) of the initial RAM disk. */
  readonly initrd?: { readonly start: number; readonly end: number };
}

// Phandles as QEMU's virt numbers them, so the trees line up node for node.
const PHANDLE_CPU = 1;
const PHANDLE_CPU_INTC = 2;
const PHANDLE_PLIC = 3;
const PHANDLE_TEST = 4;
// Interrupt numbers at the hart's local controller (priv 3.1.9).
const IRQ_M_SOFT = 3;
const IRQ_M_TIMER = 7;
const IRQ_S_EXT = 9;
const IRQ_M_EXT = 11;

const hex = (n: number) => n.toString(16);
/** A reg entry with two address and two size cells, as under / and /soc. */
const reg64 = (base: number, size: number) => [Math.floor(base / 2 ** 32), base >>> 0, Math.floor(size / 2 ** 32), size >>> 0];

/**
 * The device tree of the board, shaped like the one QEMU 7.2 builds for `-M virt` with one hart
 * (hw/riscv/virt.c create_fdt), minus devices the board does not have (PCI, flash, fw-cfg, RTC,
 * PMU) and minus `rng-seed` (random in QEMU; nothing here may be random).
 */
export function virtDeviceTree(options: VirtDeviceTreeOptions): FdtNode {
  // QEMU 7.2 writes the initrd range as single cells (hw/riscv/boot.c riscv_load_initrd), and
  // libfdt puts each new property first, so /chosen reads in the reverse order QEMU added them.
  const chosen: [string, string | number[]][] = [];
  if (options.initrd !== undefined) {
    chosen.push(['linux,initrd-end', [options.initrd.end >>> 0]]);
    chosen.push(['linux,initrd-start', [options.initrd.start >>> 0]]);
  }
  if (options.bootargs !== undefined) chosen.push(['bootargs', options.bootargs]);
  chosen.push(['stdout-path', `/soc/serial@${hex(VIRT.uart0.base)}`]);

  const virtio: FdtNode[] = [];
  // QEMU adds the slots last to first, so they appear in descending address order.
  for (let i = VIRT.virtio.count - 1; i >= 0; i--) {
    const base = VIRT.virtio.base + i * VIRT.virtio.size;
    virtio.push(
      node(`virtio_mmio@${hex(base)}`, [
        ['interrupts', [VIRT.virtio.firstIrq + i]],
        ['interrupt-parent', [PHANDLE_PLIC]],
        ['reg', reg64(base, VIRT.virtio.size)],
        ['compatible', 'virtio,mmio'],
      ]),
    );
  }

  const syscon = (name: string, value: number, compatible: string) =>
    node(name, [
      ['value', [value]],
      ['offset', [0]],
      ['regmap', [PHANDLE_TEST]],
      ['compatible', compatible],
    ]);

  return node('', [
    ['#address-cells', [2]],
    ['#size-cells', [2]],
    ['compatible', 'riscv-virtio'],
    ['model', 'riscv-virtio,qemu'],
  ], [
    node('chosen', chosen),
    syscon('poweroff', 0x5555, 'syscon-poweroff'),
    syscon('reboot', 0x7777, 'syscon-reboot'),
    node(`memory@${hex(VIRT.dram.base)}`, [
      ['device_type', 'memory'],
      ['reg', reg64(VIRT.dram.base, options.ramSize)],
    ]),
    node('cpus', [
      ['#address-cells', [1]],
      ['#size-cells', [0]],
      ['timebase-frequency', [options.timebaseFrequency]],
    ], [
      node('cpu@0', [
        ['phandle', [PHANDLE_CPU]],
        ['device_type', 'cpu'],
        ['reg', [0]],
        ['status', 'okay'],
        ['compatible', 'riscv'],
        ['riscv,isa', RISCV_ISA],
        ['mmu-type', 'riscv,sv32'],
      ], [
        node('interrupt-controller', [
          ['#interrupt-cells', [1]],
          ['interrupt-controller', true],
          ['compatible', 'riscv,cpu-intc'],
          ['phandle', [PHANDLE_CPU_INTC]],
        ]),
      ]),
      node('cpu-map', [], [node('cluster0', [], [node('core0', [['cpu', [PHANDLE_CPU]]])])]),
    ]),
    node('soc', [
      ['#address-cells', [2]],
      ['#size-cells', [2]],
      ['compatible', 'simple-bus'],
      ['ranges', true],
    ], [
      node(`serial@${hex(VIRT.uart0.base)}`, [
        ['interrupts', [VIRT.uart0.irq]],
        ['interrupt-parent', [PHANDLE_PLIC]],
        ['clock-frequency', [UART_CLOCK_FREQUENCY]],
        ['reg', reg64(VIRT.uart0.base, VIRT.uart0.size)],
        ['compatible', 'ns16550a'],
      ]),
      node(`test@${hex(VIRT.test.base)}`, [
        ['phandle', [PHANDLE_TEST]],
        ['reg', reg64(VIRT.test.base, VIRT.test.size)],
        ['compatible', ['sifive,test1', 'sifive,test0', 'syscon']],
      ]),
      ...virtio,
      node(`plic@${hex(VIRT.plic.base)}`, [
        ['phandle', [PHANDLE_PLIC]],
        ['riscv,ndev', [PLIC_NDEV]],
        ['reg', reg64(VIRT.plic.base, VIRT.plic.size)],
        // Context 0 = hart 0 M-mode external, context 1 = hart 0 S-mode external.
        ['interrupts-extended', [PHANDLE_CPU_INTC, IRQ_M_EXT, PHANDLE_CPU_INTC, IRQ_S_EXT]],
        ['interrupt-controller', true],
        ['compatible', ['sifive,plic-1.0.0', 'riscv,plic0']],
        ['#address-cells', [0]],
        ['#interrupt-cells', [1]],
      ]),
      node(`clint@${hex(VIRT.clint.base)}`, [
        ['interrupts-extended', [PHANDLE_CPU_INTC, IRQ_M_SOFT, PHANDLE_CPU_INTC, IRQ_M_TIMER]],
        ['reg', reg64(VIRT.clint.base, VIRT.clint.size)],
        ['compatible', ['sifive,clint0', 'riscv,clint0']],
      ]),
    ]),
  ]);
}

/** The board's device tree as a DTB blob. */
export function virtDeviceTreeBlob(options: VirtDeviceTreeOptions): Uint8Array {
  return encodeFdt(virtDeviceTree(options));
}

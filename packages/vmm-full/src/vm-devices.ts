/**
 * A VM's own devices, at the guest-physical addresses of the virt board: ns16550a UART, CLINT,
 * PLIC, the sifive_test finisher and eight virtio-mmio slots (the first holding virtio-blk when the VM
 * has a disk, its DMA through the VM's window of guest-physical RAM, never host addresses). They are hw-model's device models, not copies; the
 * hypervisor reaches them by emulating the guest's trapped loads and stores. The CLINT runs on the
 * host's lab clock, so guest time is host time.
 */
import { Bus, BusError, Clint, FINISHER_FAIL, FINISHER_PASS, FINISHER_RESET, HaltState, Ns16550aUart, Plic, SifiveTestFinisher, VIRT, VirtioBlk, VirtioMmio } from '@virtlab/hw-model';
import type { AccessWidth, LabClock, PhysicalWindow } from '@virtlab/hw-model';

const UART_RBR_THR = 0;
const UART_LSR = 5;
const LSR_DR = 0x01;
/** The PLIC context that drives S-mode external interrupts of hart 0 (QEMU virt: context 1). */
const PLIC_S_CONTEXT = 1;

export interface VmDeviceOptions {
  readonly clock: LabClock;
  /** Each byte the guest's UART transmits. */
  readonly onConsoleOutput?: (byte: number) => void;
  readonly consoleInput?: string | Uint8Array;
  /** A disk for virtio-blk in the first slot (written in place: pass a private copy). */
  readonly disk?: Uint8Array;
  /** Console bytes kept at most; the rest are dropped and counted (`uart.droppedBytes`). Default: unlimited. */
  readonly consoleLimit?: number;
  /** Where the VM's DMA devices reach memory: the VM's guest-physical RAM window. Required with a disk. */
  readonly dma?: PhysicalWindow;
}

export class VmDevices {
  readonly halt = new HaltState();
  readonly uart: Ns16550aUart;
  readonly clint: Clint;
  readonly plic = new Plic(2);
  readonly finisher: SifiveTestFinisher;
  readonly virtio: readonly VirtioMmio[];
  /** The device map (its one RAM page, at the top of the 32-bit space, is never reached: see `read`). */
  readonly bus = new Bus(0xffff_f000, 4096);

  constructor(options: VmDeviceOptions) {
    this.uart = new Ns16550aUart({ name: 'vm-uart', input: options.consoleInput, onTransmit: options.onConsoleOutput, ...(options.consoleLimit === undefined ? {} : { outputLimit: options.consoleLimit }), irq: this.plic.line(VIRT.uart0.irq) });
    this.clint = new Clint(options.clock);
    this.finisher = new SifiveTestFinisher(this.halt);
    const { disk, dma } = options;
    if (disk !== undefined && dma === undefined) throw new TypeError('VmDevices: a disk needs the VM window its DMA goes through (options.dma)');
    this.virtio = Array.from({ length: VIRT.virtio.count }, (_, i) => {
      const backend = i === 0 && disk !== undefined ? new VirtioBlk({ disk }) : undefined;
      return new VirtioMmio(`vm-virtio-mmio${i}`, dma ?? this.bus, backend, this.plic.line(VIRT.virtio.firstIrq + i));
    });
    this.bus.map(VIRT.test.base, this.finisher);
    this.bus.map(VIRT.clint.base, this.clint);
    this.bus.map(VIRT.plic.base, this.plic);
    this.bus.map(VIRT.uart0.base, this.uart);
    this.virtio.forEach((v, i) => this.bus.map(VIRT.virtio.base + i * VIRT.virtio.size, v));
  }

  /** A device load at guest-physical `gpa`; `BusError` where no device answers. */
  read(gpa: number, width: AccessWidth): number {
    if (this.bus.isRam(gpa, 1)) throw new BusError(gpa >>> 0, width, 'read');
    return this.bus.read(gpa, width);
  }

  write(gpa: number, value: number, width: AccessWidth): void {
    if (this.bus.isRam(gpa, 1)) throw new BusError(gpa >>> 0, width, 'write');
    this.bus.write(gpa, value, width);
  }

  /** The level of the guest's supervisor external interrupt (PLIC context 1). */
  get seip(): boolean {
    return this.plic.output(PLIC_S_CONTEXT);
  }

  /** The console as the project firmware drives it: THR for output, LSR.DR then RBR for input. */
  putchar(byte: number): void {
    this.uart.write(UART_RBR_THR, byte, 1);
  }

  getchar(): number {
    return (this.uart.read(UART_LSR, 1) & LSR_DR) !== 0 ? this.uart.read(UART_RBR_THR, 1) : -1;
  }

  /** Powers off with `status` (or resets) through the finisher, with the command the firmware writes. */
  powerOff(status: number): void {
    this.finisher.write(0, status === 0 ? FINISHER_PASS : ((status & 0xffff) << 16) | FINISHER_FAIL, 4);
  }

  reset(): void {
    this.finisher.write(0, FINISHER_RESET, 4);
  }
}

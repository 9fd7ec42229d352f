import { Bus, BusConfigError } from './bus.js';
import { Clint } from './clint.js';
import { DEFAULT_CYCLES_PER_TICK, LabClock } from './clock.js';
import type { CostModel } from './cost-model.js';
import { DEFAULT_COST_MODEL, eventPrice } from './cost-model.js';
import { SifiveTestFinisher } from './finisher.js';
import { MaskRom } from './mask-rom.js';
import type { HartPlatform } from './platform.js';
import { HaltState, IRQ_MEIP, IRQ_MSIP, IRQ_MTIP, IRQ_SEIP } from './platform.js';
import { Plic } from './plic.js';
import { Ns16550aUart } from './uart-ns16550a.js';
import type { VirtDeviceTreeOptions } from './virt-device-tree.js';
import { virtDeviceTreeBlob } from './virt-device-tree.js';
import type { VirtioBlkOptions } from './virtio-blk.js';
import { VirtioBlk } from './virtio-blk.js';
import { VirtioMmio } from './virtio-mmio.js';
import { DEFAULT_RAM_SIZE, VIRT } from './virt-memory-map.js';

export interface VirtBoardOptions {
  /** RAM size in bytes: a multiple of 4 KiB, at most 2 GiB. Default 128 MiB, as `qemu -M virt`. */
  readonly ramSize?: number;
  /**
   * Where RAM lives: the first `ramSize` bytes of this buffer (for instance a `WebAssembly.Memory`'s,
   * so that a translator's wasm code addresses guest RAM directly). Default: a buffer of its own.
   */
  readonly ramBuffer?: ArrayBuffer;
  /** A disk image (written in place) for a virtio-blk device in the first virtio slot. */
  readonly disk?: Uint8Array | VirtioBlkOptions;
  /** Kernel command line for `/chosen/bootargs`. */
  readonly bootargs?: string;
  /** Bytes the UART receives (the guest's stdin). */
  readonly uartInput?: string | Uint8Array;
  /** Called with each byte the guest sends to the UART. */
  readonly onUartOutput?: (byte: number) => void;
  readonly cost?: CostModel;
  /** Lab cycles per mtime tick (default `DEFAULT_CYCLES_PER_TICK`, 10). */
  readonly cyclesPerTick?: number;
  /** mtime ticks per guest second, advertised as `timebase-frequency` (default 10 MHz, as QEMU). */
  readonly timebaseFrequency?: number;
}

/** HTIF symbols of a bare ELF (riscv-tests' convention): a write of (code << 1) | 1 to tohost ends the run. */
export interface HtifSymbols {
  readonly tohost: number;
  readonly fromhost: number | undefined;
}

/**
 * The lab board: QEMU virt's memory map with RAM, the mask ROM, UART, CLINT, PLIC, finisher and
 * eight virtio-mmio slots (the first holding virtio-blk when a disk is given), one hart's worth of
 * interrupt wiring, the lab clock and the cost model. A hart runs on it through `HartPlatform`.
 */
export class VirtBoard implements HartPlatform {
  readonly bus: Bus;
  readonly clock: LabClock;
  readonly cost: CostModel;
  readonly halt = new HaltState();
  readonly rom: MaskRom;
  readonly uart: Ns16550aUart;
  readonly clint: Clint;
  readonly plic: Plic;
  readonly finisher: SifiveTestFinisher;
  readonly virtio: readonly VirtioMmio[];
  readonly blk: VirtioBlk | undefined;
  readonly bootargs: string | undefined;
  /** Set by a bare-ELF boot with HTIF on; see `pollHtif`. */
  htif: HtifSymbols | undefined;
  /** How often each strategy event (`vm.exit`, `hypercall`, ...) was charged. */
  readonly eventCounts = new Map<string, number>();

  constructor(options: VirtBoardOptions = {}) {
    const ramSize = options.ramSize ?? DEFAULT_RAM_SIZE;
    if (!Number.isSafeInteger(ramSize) || ramSize <= 0 || ramSize % 4096 !== 0 || ramSize > 2 ** 31) {
      throw new BusConfigError(`ramSize ${String(ramSize)} must be a positive multiple of 4096 bytes, at most 2 GiB (0x80000000..0xffffffff)`);
    }
    this.bus = new Bus(VIRT.dram.base, ramSize, options.ramBuffer);
    this.clock = new LabClock(options.cyclesPerTick ?? DEFAULT_CYCLES_PER_TICK, options.timebaseFrequency ?? 10_000_000);
    this.cost = options.cost ?? DEFAULT_COST_MODEL;
    this.bootargs = options.bootargs;

    this.plic = new Plic(2);
    this.rom = new MaskRom('mrom', VIRT.mrom.size);
    this.uart = new Ns16550aUart({ input: options.uartInput, onTransmit: options.onUartOutput, irq: this.plic.line(VIRT.uart0.irq) });
    this.clint = new Clint(this.clock);
    this.finisher = new SifiveTestFinisher(this.halt);
    const disk = options.disk;
    this.blk = disk === undefined ? undefined : new VirtioBlk(disk instanceof Uint8Array ? { disk } : disk);
    this.virtio = Array.from({ length: VIRT.virtio.count }, (_, i) => {
      const backend = i === 0 ? this.blk : undefined;
      const name = backend === undefined ? `virtio-mmio${i}` : `virtio-blk${i}`;
      return new VirtioMmio(name, this.bus, backend, this.plic.line(VIRT.virtio.firstIrq + i));
    });

    this.bus.map(VIRT.mrom.base, this.rom);
    this.bus.map(VIRT.test.base, this.finisher);
    this.bus.map(VIRT.clint.base, this.clint);
    this.bus.map(VIRT.plic.base, this.plic);
    this.bus.map(VIRT.uart0.base, this.uart);
    this.virtio.forEach((v, i) => this.bus.map(VIRT.virtio.base + i * VIRT.virtio.size, v));
  }

  get ramSize(): number {
    return this.bus.ramSize;
  }

  /** mip bits driven by the devices (priv 3.1.9): CLINT → MSIP/MTIP, PLIC context 0 → MEIP, 1 → SEIP. */
  interruptLevels(hartId: number): number {
    if (hartId !== 0) return 0;
    let mip = 0;
    if (this.clint.msip) mip |= IRQ_MSIP;
    if (this.clint.mtip) mip |= IRQ_MTIP;
    if (this.plic.output(0)) mip |= IRQ_MEIP;
    if (this.plic.output(1)) mip |= IRQ_SEIP;
    return mip;
  }

  /** Only the timer changes a line without an MMIO access. */
  nextEventCycle(hartId: number): number {
    return hartId === 0 ? this.clint.nextEventCycle() : Infinity;
  }

  /** MMIO accesses per device since reset. */
  mmioCounters(): Record<string, number> {
    return Object.fromEntries(this.bus.mmioAccesses);
  }

  /**
   * Charges a strategy event (a VM exit, a hypercall, a shadow-page fault, ...) at its price in
   * `cost.events` and counts it. An event without a price is a configuration mistake, not free.
   */
  chargeEvent(name: string, times = 1): void {
    this.clock.cycles += eventPrice(this.cost, name) * times;
    this.eventCounts.set(name, (this.eventCounts.get(name) ?? 0) + times);
  }

  /** The device tree blob for this board. */
  deviceTree(extra: Partial<Pick<VirtDeviceTreeOptions, 'bootargs' | 'initrd'>> = {}): Uint8Array {
    return virtDeviceTreeBlob({
      ramSize: this.ramSize,
      timebaseFrequency: this.clock.timebaseFrequency,
      bootargs: extra.bootargs ?? this.bootargs,
      initrd: extra.initrd,
    });
  }

  /**
   * Checks the HTIF `tohost` word in RAM (no MMIO involved) and powers off with `tohost >> 1` when
   * the guest has written (code << 1) | 1 there. Returns true when the board has halted.
   * Call it at deterministic points, e.g. between run slices of a fixed instruction count.
   */
  pollHtif(): boolean {
    const h = this.htif;
    if (h === undefined || !this.bus.isRam(h.tohost, 4)) return this.halt.halted;
    const value = this.bus.read(h.tohost, 4);
    if (value & 1) this.halt.request({ kind: 'poweroff', exitCode: value >>> 1 });
    return this.halt.halted;
  }
}

/** A board shaped like `qemu-system-riscv32 -M virt` with one hart. */
export function createVirtBoard(options: VirtBoardOptions = {}): VirtBoard {
  return new VirtBoard(options);
}

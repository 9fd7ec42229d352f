/**
 * A minimal HartPlatform: RAM, an optional CLINT-shaped timer (msip, mtimecmp, mtime at QEMU
 * virt's CLINT offsets), an optional output port that collects bytes, and an optional finisher.
 * The Popek–Goldberg probes, the tests and the benchmark run the hart on it without the board.
 */
import { Bus, DEFAULT_COST_MODEL, HaltState, IRQ_MSIP, IRQ_MTIP, LabClock } from '@virtlab/hw-model';
import type { AccessWidth, CostModel, HartPlatform, MmioDevice } from '@virtlab/hw-model';

export const MINI_TIMER_BASE = 0x0200_0000;
export const MINI_CONSOLE_BASE = 0x1000_0000;
export const MINI_FINISHER_BASE = 0x0010_0000;

class MiniTimer implements MmioDevice {
  readonly name = 'timer';
  readonly size = 0x10000;
  msip = 0;
  mtimecmp = Infinity;

  constructor(readonly clock: LabClock) {}

  read(offset: number, _width: AccessWidth): number {
    if (offset === 0) return this.msip;
    if (offset === 0x4000) return this.mtimecmp === Infinity ? 0xffffffff : this.mtimecmp % 4294967296;
    if (offset === 0x4004) return this.mtimecmp === Infinity ? 0xffffffff : Math.floor(this.mtimecmp / 4294967296);
    if (offset === 0xbff8) return this.clock.mtime % 4294967296;
    if (offset === 0xbffc) return Math.floor(this.clock.mtime / 4294967296);
    return 0;
  }

  write(offset: number, value: number, _width: AccessWidth): void {
    if (offset === 0) this.msip = value & 1;
    // Only the low word is modeled: writing it sets mtimecmp (high word 0); 0xffffffff disarms.
    else if (offset === 0x4000) this.mtimecmp = value >>> 0 === 0xffffffff ? Infinity : value >>> 0;
  }
}

class MiniConsole implements MmioDevice {
  readonly name = 'console';
  readonly size = 0x100;
  readonly bytes: number[] = [];

  read(offset: number, _width: AccessWidth): number {
    return offset === 5 ? 0x60 : 0; // ns16550a LSR: transmitter empty
  }

  write(offset: number, value: number, _width: AccessWidth): void {
    if (offset === 0) this.bytes.push(value & 0xff);
  }
}

class MiniFinisher implements MmioDevice {
  readonly name = 'finisher';
  readonly size = 0x1000;

  constructor(readonly halt: HaltState) {}

  read(): number {
    return 0;
  }

  write(offset: number, value: number): void {
    if (offset !== 0) return;
    const v = value >>> 0;
    if ((v & 0xffff) === 0x5555) this.halt.request({ kind: 'poweroff', exitCode: 0 });
    else if ((v & 0xffff) === 0x3333) this.halt.request({ kind: 'poweroff', exitCode: v >>> 16 });
    else if ((v & 0xffff) === 0x7777) this.halt.request({ kind: 'reset' });
  }
}

export interface MiniPlatformOptions {
  readonly ramBase?: number;
  readonly ramSize?: number;
  readonly cost?: CostModel;
  readonly cyclesPerTick?: number;
  /** Map the timer, console and finisher (default true). */
  readonly devices?: boolean;
}

export class MiniPlatform implements HartPlatform {
  readonly bus: Bus;
  readonly clock: LabClock;
  readonly cost: CostModel;
  readonly halt = new HaltState();
  readonly timer: MiniTimer | undefined;
  readonly console: MiniConsole | undefined;
  /** Extra mip bits a test asserts directly (e.g. SEIP or MEIP from a pretend PLIC). */
  lines = 0;

  constructor(options: MiniPlatformOptions = {}) {
    this.bus = new Bus(options.ramBase ?? 0x8000_0000, options.ramSize ?? 1 << 20);
    this.clock = new LabClock(options.cyclesPerTick ?? 10);
    this.cost = options.cost ?? DEFAULT_COST_MODEL;
    if (options.devices ?? true) {
      this.timer = new MiniTimer(this.clock);
      this.console = new MiniConsole();
      this.bus.map(MINI_TIMER_BASE, this.timer);
      this.bus.map(MINI_CONSOLE_BASE, this.console);
      this.bus.map(MINI_FINISHER_BASE, new MiniFinisher(this.halt));
    }
  }

  interruptLevels(_hartId: number): number {
    const t = this.timer;
    let levels = this.lines;
    if (t !== undefined) {
      if (t.msip !== 0) levels |= IRQ_MSIP;
      if (this.clock.mtime >= t.mtimecmp) levels |= IRQ_MTIP;
    }
    return levels;
  }

  nextEventCycle(_hartId: number): number {
    const t = this.timer;
    if (t === undefined || t.mtimecmp === Infinity || this.clock.mtime >= t.mtimecmp) return Infinity;
    return this.clock.cycleOfTick(t.mtimecmp);
  }

  /** Text the guest wrote to the console. */
  output(): string {
    return String.fromCharCode(...(this.console?.bytes ?? []));
  }

  /** Copies words into RAM at `address` (through the bus, so caches hear of it). */
  load(address: number, words: Int32Array | Uint8Array): void {
    const bytes = words instanceof Uint8Array ? words : new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
    this.bus.writeRam(address, bytes);
  }
}

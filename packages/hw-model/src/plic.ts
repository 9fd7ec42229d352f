import type { AccessWidth, MmioDevice } from './bus.js';
import { mergeWrite, narrowRead } from './mmio-word.js';

// Register layout of QEMU virt's PLIC (hw/riscv/virt.h, RISC-V PLIC spec 1.0.0 chapter 3).
export const PLIC_PRIORITY = 0x000000;
export const PLIC_PENDING = 0x001000;
export const PLIC_ENABLE = 0x002000;
export const PLIC_ENABLE_STRIDE = 0x80;
export const PLIC_CONTEXT = 0x200000;
export const PLIC_CONTEXT_STRIDE = 0x1000;
/** Source ids 1..96 exist (0 means "none"), as `riscv,ndev = <0x60>` in QEMU's device tree. */
export const PLIC_NDEV = 96;
const PLIC_SOURCES = PLIC_NDEV + 1;
/** Priorities are 3 bits wide (QEMU virt: VIRT_IRQCHIP_NUM_PRIO_BITS = 3). */
export const PLIC_MAX_PRIORITY = 7;
const WORDS = (PLIC_SOURCES + 31) >>> 5;

/**
 * The platform-level interrupt controller at 0x0c00_0000 with two contexts, as QEMU's virt wires
 * them for hart 0: context 0 drives MEIP (M-mode), context 1 drives SEIP (S-mode). Sources are
 * level-triggered through a gateway (PLIC spec 1.0.0 chapter 2): a high line sets `pending` unless
 * the source is claimed and not yet completed; claim clears `pending`; completion re-arms the
 * gateway, and a line still high pends again.
 */
export class Plic implements MmioDevice {
  readonly name = 'plic';
  readonly size = 0x600000;
  /** Only 32-bit accesses, as QEMU's device accepts (narrower ones are access faults). */
  readonly minAccessWidth = 4;
  readonly contexts: number;
  readonly #priority = new Uint8Array(PLIC_SOURCES);
  readonly #level = new Uint8Array(PLIC_SOURCES);
  readonly #pending = new Uint8Array(PLIC_SOURCES);
  /** Claimed and not yet completed: the gateway holds further requests back. */
  readonly #inFlight = new Uint8Array(PLIC_SOURCES);
  readonly #enable: Uint32Array;
  readonly #threshold: Uint8Array;
  /** Cached output per context (MEIP for 0, SEIP for 1), recomputed on every state change. */
  readonly #output: Uint8Array;

  constructor(contexts = 2) {
    this.contexts = contexts;
    this.#enable = new Uint32Array(contexts * WORDS);
    this.#threshold = new Uint8Array(contexts);
    this.#output = new Uint8Array(contexts);
  }

  /** Sets the level of interrupt source `irq` (1..96). */
  setLevel(irq: number, level: boolean): void {
    if (irq <= 0 || irq >= PLIC_SOURCES) return;
    this.#level[irq] = level ? 1 : 0;
    if (this.#inFlight[irq] === 0) this.#pending[irq] = level ? 1 : 0;
    this.#update();
  }

  /** The interrupt-line function a device at source `irq` calls. */
  line(irq: number): (level: boolean) => void {
    return (level) => this.setLevel(irq, level);
  }

  /** True when `context` has an enabled pending source above its threshold (drives xEIP). */
  output(context: number): boolean {
    return this.#output[context] === 1;
  }

  isPending(irq: number): boolean {
    return this.#pending[irq] === 1;
  }

  read(offset: number, width: AccessWidth): number {
    const word = offset & ~3;
    // Reading the claim register has a side effect, so only a full aligned read claims.
    return narrowRead(this.#readWord(word, offset === word), offset, width);
  }

  write(offset: number, value: number, width: AccessWidth): void {
    const word = offset & ~3;
    if (width !== 4) value = mergeWrite(this.#readWord(word, false), offset, value, width);
    this.#writeWord(word, value >>> 0);
  }

  #readWord(word: number, sideEffects: boolean): number {
    if (word < PLIC_PENDING) {
      const irq = word >>> 2;
      return irq < PLIC_SOURCES ? this.#priority[irq]! : 0;
    }
    if (word < PLIC_ENABLE) {
      const index = (word - PLIC_PENDING) >>> 2;
      return index < WORDS ? this.#bits(this.#pending, index) : 0;
    }
    if (word < PLIC_CONTEXT) {
      const ctx = Math.floor((word - PLIC_ENABLE) / PLIC_ENABLE_STRIDE);
      const index = ((word - PLIC_ENABLE) % PLIC_ENABLE_STRIDE) >>> 2;
      return ctx < this.contexts && index < WORDS ? this.#enable[ctx * WORDS + index]! : 0;
    }
    const ctx = Math.floor((word - PLIC_CONTEXT) / PLIC_CONTEXT_STRIDE);
    const reg = (word - PLIC_CONTEXT) % PLIC_CONTEXT_STRIDE;
    if (ctx >= this.contexts) return 0;
    if (reg === 0) return this.#threshold[ctx]!;
    if (reg === 4) return sideEffects ? this.#claim(ctx) : this.#best(ctx);
    return 0;
  }

  #writeWord(word: number, value: number): void {
    if (word < PLIC_PENDING) {
      const irq = word >>> 2;
      if (irq > 0 && irq < PLIC_SOURCES) this.#priority[irq] = value & PLIC_MAX_PRIORITY;
    } else if (word < PLIC_ENABLE) {
      // Pending bits are read-only (PLIC spec 3.3).
      return;
    } else if (word < PLIC_CONTEXT) {
      const ctx = Math.floor((word - PLIC_ENABLE) / PLIC_ENABLE_STRIDE);
      const index = ((word - PLIC_ENABLE) % PLIC_ENABLE_STRIDE) >>> 2;
      if (ctx >= this.contexts || index >= WORDS) return;
      // Source 0 does not exist: its enable bit is hard-wired to 0.
      this.#enable[ctx * WORDS + index] = index === 0 ? value & ~1 : value;
    } else {
      const ctx = Math.floor((word - PLIC_CONTEXT) / PLIC_CONTEXT_STRIDE);
      const reg = (word - PLIC_CONTEXT) % PLIC_CONTEXT_STRIDE;
      if (ctx >= this.contexts) return;
      if (reg === 0) {
        // QEMU ignores thresholds above the largest priority.
        if (value <= PLIC_MAX_PRIORITY) this.#threshold[ctx] = value;
      } else if (reg === 4) {
        this.#complete(value);
      }
    }
    this.#update();
  }

  #bits(array: Uint8Array, index: number): number {
    let w = 0;
    for (let b = 0; b < 32; b++) if (array[index * 32 + b] === 1) w |= 1 << b;
    return w >>> 0;
  }

  #enabled(ctx: number, irq: number): boolean {
    return ((this.#enable[ctx * WORDS + (irq >>> 5)]! >>> (irq & 31)) & 1) === 1;
  }

  /** The pending, enabled source with the highest priority above the threshold; ties go to the lowest id. */
  #best(ctx: number): number {
    let best = 0;
    let bestPriority = this.#threshold[ctx]!;
    for (let irq = 1; irq < PLIC_SOURCES; irq++) {
      if (this.#pending[irq] === 1 && this.#priority[irq]! > bestPriority && this.#enabled(ctx, irq)) {
        best = irq;
        bestPriority = this.#priority[irq]!;
      }
    }
    return best;
  }

  #claim(ctx: number): number {
    const irq = this.#best(ctx);
    if (irq !== 0) {
      this.#pending[irq] = 0;
      this.#inFlight[irq] = 1;
      this.#update();
    }
    return irq;
  }

  #complete(irq: number): void {
    if (irq <= 0 || irq >= PLIC_SOURCES || this.#inFlight[irq] === 0) return;
    this.#inFlight[irq] = 0;
    if (this.#level[irq] === 1) this.#pending[irq] = 1;
  }

  #update(): void {
    for (let ctx = 0; ctx < this.contexts; ctx++) this.#output[ctx] = this.#best(ctx) !== 0 ? 1 : 0;
  }
}

/**
 * The hart's hypervisor interface: what a TypeScript monitor (a hypervisor, firmware services)
 * uses to look at and change the hart and the machine. Every operation is counted in the hart's
 * counters (`monitor.*`), and works the same under every engine that runs the hart (the
 * interpreter and the emulator's translator both go through the hart's trap entry, interrupt
 * service and general memory path, where the port's effects live).
 *
 * Cost rule (cost-model.ts, "Monitor time"): a handled trap costs trapEntry + trapReturn, the
 * trapping instruction neither retires nor is charged, and the monitor prices its own work with
 * `chargeEvent`. Port reads and writes are counted but free.
 *
 * Interrupt rule (claim/complete, like a PLIC): when the monitor returns 'handled' for an
 * interrupt, that interrupt is claimed: the hart does not take it again (neither to the monitor
 * nor to mtvec) until its pending level has been seen low and then high again, or the monitor
 * calls `completeInterrupt`. So a level-triggered line the monitor does not clear (MTIP with
 * mtimecmp still due) cannot trap forever. WFI still wakes on a claimed pending interrupt (it
 * only waits for mip & mie, priv 3.3.3), so a guest waiting for it makes progress.
 */
import { PhysicalWindow, eventPrice } from '@virtlab/hw-model';
import type { AccessWidth } from '@virtlab/hw-model';
import { ALL_IRQS, CSR } from './csr.js';
import type { Privilege } from './csr.js';
import type { Hart, HartEventName } from './hart.js';
import { describeWalk } from './sv32-walk.js';
import type { AccessKind, Sv32WalkResult, Sv32Walker, WalkOptions } from './sv32-walk.js';

/** A device a monitor emulates on a claimed physical range. Offsets are from the claim's base. */
export interface MmioHandler {
  /** A load of `width` bytes; the value is zero-extended (the hart sign-extends for lb/lh). Throw a `BusError` for an access fault. */
  read(offset: number, width: AccessWidth): number;
  /** A store of the low `width` bytes of `value`. Throw a `BusError` for an access fault. */
  write(offset: number, width: AccessWidth, value: number): void;
}

/** A claimed range, as `claimMmio` returns it. */
export interface MmioClaim {
  readonly base: number;
  readonly size: number;
  readonly name: string;
  readonly handler: MmioHandler;
}

/** A claim that overlaps another claim or RAM, or a release of something never claimed. */
export class MmioClaimError extends Error {
  override name = 'MmioClaimError';
}

function hex(v: number): string {
  return `0x${v.toString(16).padStart(8, '0')}`;
}

/**
 * The claimed ranges of one hart. The hart's general memory path looks here before the bus, so a
 * claim also shadows a board device in its range. Claims lie outside RAM: RAM accesses take the
 * engines' fast paths and never reach the general path.
 */
export class MmioClaims {
  #list: MmioClaim[] = [];

  get size(): number {
    return this.#list.length;
  }

  /** The claim holding [pa, pa + width), if any. */
  find(pa: number, width: number): MmioClaim | undefined {
    for (const c of this.#list) if (pa >= c.base && pa + width <= c.base + c.size) return c;
    return undefined;
  }

  /** True when any claim overlaps [pa, pa + width) (an access straddling a claim's edge is an access fault). */
  touches(pa: number, width: number): boolean {
    for (const c of this.#list) if (pa < c.base + c.size && c.base < pa + width) return true;
    return false;
  }

  add(claim: MmioClaim, ramBase: number, ramSize: number): void {
    const { base, size, name } = claim;
    if (!Number.isSafeInteger(base) || !Number.isSafeInteger(size) || base < 0 || size <= 0 || base + size > 2 ** 34) {
      throw new MmioClaimError(`claim '${name}' ${String(base)}+${String(size)}: base and size must be integers, size > 0, inside the 34-bit physical space`);
    }
    const end = base + size;
    if (base < ramBase + ramSize && ramBase < end) {
      throw new MmioClaimError(`claim '${name}' ${hex(base)}..${hex(end)} overlaps RAM ${hex(ramBase)}..${hex(ramBase + ramSize)}`);
    }
    for (const c of this.#list) {
      if (base < c.base + c.size && c.base < end) {
        throw new MmioClaimError(`claim '${name}' ${hex(base)}..${hex(end)} overlaps claim '${c.name}' ${hex(c.base)}..${hex(c.base + c.size)}`);
      }
    }
    this.#list.push(claim);
  }

  remove(which: MmioClaim | number): MmioClaim {
    const i = this.#list.findIndex((c) => (typeof which === 'number' ? c.base === which : c === which));
    if (i < 0) {
      throw new MmioClaimError(`release: no claim ${typeof which === 'number' ? `at ${hex(which)}` : `'${which.name}' at ${hex(which.base)}`}`);
    }
    return this.#list.splice(i, 1)[0]!;
  }
}

/**
 * Side-effect-free access to guest memory through a window: never traps, never touches the TLB,
 * never charges lab cycles; writes drop decoded and translated code in what they write (through
 * the bus's RAM-write listeners, as DMA does). Outside the window: a `MemoryWindowError`.
 */
export class GuestMemory {
  readonly #ev: Record<HartEventName, number>;

  constructor(
    readonly window: PhysicalWindow,
    events: Record<HartEventName, number>,
  ) {
    this.#ev = events;
  }

  /** `width` bytes at guest-physical `address`, zero-extended. */
  read(address: number, width: AccessWidth = 4): number {
    this.#ev['monitor.mem_reads']++;
    return this.window.read(address, width);
  }

  write(address: number, value: number, width: AccessWidth = 4): void {
    this.#ev['monitor.mem_writes']++;
    this.window.write(address, value, width);
  }

  readBytes(address: number, length: number): Uint8Array {
    this.#ev['monitor.mem_reads']++;
    return this.window.readBytes(address, length);
  }

  writeBytes(address: number, bytes: Uint8Array): void {
    this.#ev['monitor.mem_writes']++;
    this.window.writeBytes(address, bytes);
  }
}

/**
 * What a TypeScript monitor (hypervisor, firmware) uses to look at and change the hart. Every
 * call is counted under `monitor.*` (see the file comment for the cost and interrupt rules).
 */
export class MonitorPort {
  readonly #hart: Hart;
  readonly #ev: Record<HartEventName, number>;
  readonly #strategyEvents: Map<string, number>;
  readonly #walker: Sv32Walker;
  /** Side-effect-free access to all of physical RAM (the identity window). */
  readonly phys: GuestMemory;

  /** Built by the hart; `events`, `strategyEvents` and `walker` are the hart's own. */
  constructor(hart: Hart, events: Record<HartEventName, number>, strategyEvents: Map<string, number>, walker: Sv32Walker) {
    this.#hart = hart;
    this.#ev = events;
    this.#strategyEvents = strategyEvents;
    this.#walker = walker;
    this.phys = new GuestMemory(PhysicalWindow.identity(hart.bus), events);
  }

  readReg(index: number): number {
    this.#ev['monitor.reg_reads']++;
    return index === 0 ? 0 : this.#hart.regs[index & 31]!;
  }

  writeReg(index: number, value: number): void {
    this.#ev['monitor.reg_writes']++;
    if ((index & 31) !== 0) this.#hart.regs[index & 31] = value;
  }

  get pc(): number {
    return this.#hart.pc;
  }

  set pc(value: number) {
    this.#ev['monitor.pc_writes']++;
    this.#hart.pc = value | 0;
  }

  get privilege(): Privilege {
    return this.#hart.priv;
  }

  set privilege(p: Privilege) {
    this.#ev['monitor.priv_writes']++;
    this.#hart.priv = p;
  }

  readCsr(csr: number): number | undefined {
    this.#ev['monitor.csr_reads']++;
    return this.#hart.readCsr(csr);
  }

  writeCsr(csr: number, value: number): void {
    this.#ev['monitor.csr_writes']++;
    this.#hart.writeCsr(csr, value);
    this.#hart.nextCheck = 0;
  }

  /** Switches the MMU root: writes satp (mode, ASID, root page). */
  setSatp(value: number): void {
    this.#ev['monitor.satp_switches']++;
    this.#hart.writeCsr(CSR.satp, value);
  }

  /** sfence.vma semantics (undefined = all); counted as a TLB flush (`tlb.flushes`) and as `monitor.tlb_flushes`. */
  flushTlb(vaddr?: number, asid?: number): void {
    this.#ev['monitor.tlb_flushes']++;
    this.#ev['tlb.flushes']++;
    this.#hart.tlb.flush(vaddr, asid === undefined ? undefined : asid & 0x1ff);
  }

  /** Asserts mip bits (e.g. 1 << 5 for STIP) until `clearInterrupt`. */
  injectInterrupt(bits: number): void {
    this.#ev['monitor.irq_injections']++;
    this.#hart.mipInjected |= bits & ALL_IRQS;
    this.#hart.nextCheck = 0;
  }

  clearInterrupt(bits: number): void {
    this.#hart.mipInjected &= ~bits;
    this.#hart.nextCheck = 0;
  }

  /**
   * Ends the claim on the interrupts in `bits` (mip bit positions) that the monitor took by
   * handling them: the hart may take them again at once if still pending and enabled.
   */
  completeInterrupt(bits: number): void {
    this.#ev['monitor.irq_completions']++;
    this.#hart.irqClaimed &= ~bits;
    this.#hart.nextCheck = 0;
  }

  /** Interrupts (mip bit positions) now claimed by the monitor. */
  get claimedInterrupts(): number {
    return this.#hart.irqClaimed;
  }

  /** Side-effect-free access to guest memory through `window` (a VM's guest-physical view of host RAM). */
  memory(window: PhysicalWindow): GuestMemory {
    if (window.bus !== this.#hart.bus) throw new RangeError(`memory: the window ${hex(window.guestBase)}+0x${window.size.toString(16)} is over another bus`);
    return new GuestMemory(window, this.#ev);
  }

  /**
   * The Sv32 walk the hart would make for `va` (priv 4.3.2, with PMP on the PTE reads as the hart
   * checks them), without touching the TLB, A/D bits, lab cycles or any counter but
   * `monitor.walks`. `satp` need not be the hart's own (a guest's virtual satp, a shadow root).
   */
  walk(satp: number, va: number, access: AccessKind, opts?: WalkOptions): Sv32WalkResult {
    this.#ev['monitor.walks']++;
    return describeWalk(this.#walker, satp, va, access, opts);
  }

  /**
   * Routes the hart's loads and stores to physical [base, base + size) to `handler`, each charged
   * as an MMIO access (`mmioAccess`, counted in `mmio.accesses` and `monitor.mmio_accesses`).
   * The range must lie outside RAM and overlap no other claim (`MmioClaimError`); it takes
   * precedence over a board device there. LR/SC and AMOs to a claimed range raise an access fault
   * (the range is I/O without AMO support, priv 3.6.3.1), as does an access straddling its edge
   * and any instruction fetch from it.
   */
  claimMmio(base: number, size: number, handler: MmioHandler, name = `claim@${hex(base)}`): MmioClaim {
    const claim: MmioClaim = { base, size, name, handler };
    this.#hart.mmioClaims.add(claim, this.#hart.bus.ramBase, this.#hart.bus.ramSize);
    this.#ev['monitor.mmio_claims']++;
    return claim;
  }

  /** Ends a claim, given the handle or its base; `MmioClaimError` when there is none. */
  releaseMmio(which: MmioClaim | number): void {
    this.#hart.mmioClaims.remove(which);
    this.#ev['monitor.mmio_releases']++;
  }

  /**
   * Charges `times` occurrences of strategy event `name` at its price in the board's cost model
   * (`cost.events[name]`; unpriced: `CostModelError`), counted as `event.<name>`.
   */
  chargeEvent(name: string, times = 1): void {
    if (!Number.isSafeInteger(times) || times < 0) throw new RangeError(`chargeEvent('${name}'): times must be an integer >= 0, got ${String(times)}`);
    const price = eventPrice(this.#hart.platform.cost, name);
    this.#hart.clock.cycles += price * times;
    this.#strategyEvents.set(name, (this.#strategyEvents.get(name) ?? 0) + times);
  }
}

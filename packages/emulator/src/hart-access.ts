/**
 * The parts of `Hart.run`'s outer loop that the hart keeps private, rebuilt from its public API
 * so that the translator's run loop takes interrupts, sleeps in WFI, sets up fetches and spots
 * fault loops at exactly the points and with exactly the effects the interpreter has.
 *
 * Each method says which private member of cpu-core's `hart.ts` it mirrors; the request to make
 * those public is in /work/notes/requests-emulator.md. The counters these keep (traps taken,
 * WFI cycles) are merged into the hart's own by the engine.
 */
import { CAUSE, EXCEPTION_NAMES, IRQ, MSTATUS, CSR } from '@virtlab/cpu-core';
import type { Hart, StopReason } from '@virtlab/cpu-core';

/** `PMP_X` of cpu-core's pmp.ts (PMP entry permission bit, priv 3.7.1). */
const PMP_X = 4;
/** `FAST_EXEC` of cpu-core's tlb.ts. */
const FAST_EXEC = 4;
/** priv 3.1.9: MEI, MSI, MTI, SEI, SSI, STI. */
const IRQ_PRIORITY = [IRQ.MEI, IRQ.MSI, IRQ.MTI, IRQ.SEI, IRQ.SSI, IRQ.STI] as const;

export class HartAccess {
  /** Trap entries this loop saw (the hart's `#traps` grows by the same amount). */
  traps = 0;
  /** Lab cycles spent asleep in WFI (the hart's `wfi.cycles` event). */
  wfiCycles = 0;
  faultLoop: StopReason | undefined = undefined;
  #lastVector = -1;
  #lastCause = -1;
  #loopCount = 0;

  // Result of the last `setupFetch`.
  /** Virtual page of the fetch. */
  fetchVpage = 0;
  /** RAM offset of the physical page of the fetch. */
  fetchPhys = 0;
  /** One instruction at a time: PMP or the TLB do not grant execution uniformly over the page. */
  fetchSingle = false;

  constructor(readonly hart: Hart) {}

  /** Takes a trap as `#raise` does (the caller clears `trapped`) and records it. */
  raise(code: number, tval: number): void {
    const epc = this.hart.pc;
    this.hart.takeTrap(code, false, tval);
    this.noteTrap(epc, code, false);
  }

  /**
   * Records a trap the hart took (`takeTrap`'s accounting and its fault-loop rule: the same
   * exception at the address the last trap vectored to, three times running).
   */
  noteTrap(epc: number, code: number, interrupt: boolean): void {
    this.traps++;
    if (!interrupt && epc === this.#lastVector && code === this.#lastCause) {
      if (++this.#loopCount >= 3) {
        const tval = this.hart.priv === 1 ? this.hart.stval : this.hart.mtval;
        this.faultLoop = {
          kind: 'fault-loop',
          cause: code,
          pc: epc >>> 0,
          tval: tval >>> 0,
          description: `trap handler at 0x${(epc >>> 0).toString(16)} faults with cause ${code} (${EXCEPTION_NAMES[code] ?? '?'}) tval 0x${(tval >>> 0).toString(16)}, again and again`,
        };
      }
    } else {
      this.#loopCount = 0;
    }
    this.#lastVector = this.hart.pc;
    this.#lastCause = interrupt ? -1 : code;
  }

  /** After the hart's general path took an exception (`trapped`) at `epc`: the cause it wrote. */
  noteExceptionTaken(epc: number): void {
    const h = this.hart;
    const cause = h.priv === 1 ? h.scause : h.mcause;
    this.noteTrap(epc, cause & 0x7fffffff, false);
  }

  /** `#serviceInterrupts`: the highest-priority enabled pending interrupt (priv 3.1.9). */
  serviceInterrupts(): void {
    const h = this.hart;
    const next = h.platform.nextEventCycle(h.hartId);
    h.nextCheck = next > h.clock.cycles ? next : Infinity;
    const pending = h.readCsr(CSR.mip)! & h.mie;
    if (pending === 0) return;
    const mEnabled = h.priv < 3 || (h.mstatus & MSTATUS.MIE) !== 0;
    const sEnabled = h.priv < 1 || (h.priv === 1 && (h.mstatus & MSTATUS.SIE) !== 0);
    const m = mEnabled ? pending & ~h.mideleg : 0;
    const s = sEnabled ? pending & h.mideleg : 0;
    const take = m !== 0 ? m : s;
    if (take === 0) return;
    for (const irq of IRQ_PRIORITY) {
      if ((take & (1 << irq)) !== 0) {
        const epc = h.pc;
        h.takeTrap(irq, true, 0);
        this.noteTrap(epc, irq, true);
        return;
      }
    }
  }

  /** `#waitForInterrupt`: wake on mip & mie, else let lab time pass to the next event. False = deadlock. */
  waitForInterrupt(): boolean {
    const h = this.hart;
    if ((h.readCsr(CSR.mip)! & h.mie) !== 0) {
      h.waiting = false;
      return true;
    }
    const next = h.platform.nextEventCycle(h.hartId);
    if (!(next > h.clock.cycles) || next === Infinity) return false;
    this.wfiCycles += next - h.clock.cycles;
    h.clock.cycles = next;
    h.nextCheck = 0;
    return true;
  }

  /** `#setupFetch`: translates pc for execution; false when that trapped. */
  setupFetch(): boolean {
    const h = this.hart;
    const pc = h.pc;
    if ((pc & 3) !== 0) {
      this.raise(CAUSE.misalignedFetch, pc);
      return false;
    }
    const pa = h.translate(pc, 2, 4);
    if (pa < 0) {
      h.trapped = false;
      this.noteExceptionTaken(pc);
      return false;
    }
    const bus = h.bus;
    const off = pa - bus.ramBase;
    if (off < 0 || off + 4 > bus.ramSize) {
      this.raise(CAUSE.fetchAccess, pc);
      return false;
    }
    const page = pa - (pa % 4096);
    let single = (h.pmp.permissions(page, 4096, h.priv) & PMP_X) === 0;
    if (h.satp >>> 31 === 1 && h.priv < 3) {
      const t = h.tlb;
      const e = ((pc >>> 12) & t.mask) << 2;
      if (t.fastTable[e] !== pc >>> 12 || (t.fastTable[e + 1]! & FAST_EXEC) === 0) single = true;
    }
    this.fetchSingle = single;
    this.fetchPhys = off - (off % 4096);
    this.fetchVpage = pc & ~0xfff;
    return true;
  }

  /**
   * The hart's `#dataMode`: 0 when loads and stores go straight to RAM, 1 through the TLB fast
   * path, 2 through the general path only.
   */
  dataMode(): 0 | 1 | 2 {
    const h = this.hart;
    const s = h.mstatus;
    const effPriv = h.priv === 3 && (s & MSTATUS.MPRV) !== 0 ? (s >>> 11) & 3 : h.priv;
    if (h.satp >>> 31 === 1 && effPriv < 3) return 1;
    return (h.pmp.permissions(h.bus.ramBase, h.bus.ramSize, effPriv) & 3) === 3 ? 0 : 2;
  }
}

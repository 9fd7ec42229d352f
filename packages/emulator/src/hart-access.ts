/**
 * The two parts of `Hart.run`'s outer loop that the hart keeps private, rebuilt from its public
 * API so that the translator's run loop sets up fetches and picks the data path exactly as the
 * interpreter does. (Interrupts, WFI, trap counting and the fault-loop rule are the hart's own:
 * `serviceInterrupts`, `waitForInterrupt`, `takeTrap`, `trapCount`, `faultLoop`.)
 */
import { ACCESS_FETCH, CAUSE, FAST_EXEC, MSTATUS, PMP_X } from '@virtlab/cpu-core';
import type { Hart } from '@virtlab/cpu-core';

export class HartAccess {
  // Result of the last `setupFetch`.
  /** Virtual page of the fetch. */
  fetchVpage = 0;
  /** RAM offset of the physical page of the fetch. */
  fetchPhys = 0;
  /** One instruction at a time: PMP or the TLB do not grant execution uniformly over the page. */
  fetchSingle = false;

  constructor(readonly hart: Hart) {}

  /** The hart's `#setupFetch`: translates pc for execution; false when that trapped. */
  setupFetch(): boolean {
    const h = this.hart;
    const pc = h.pc;
    if ((pc & 3) !== 0) {
      h.takeTrap(CAUSE.misalignedFetch, false, pc);
      return false;
    }
    const pa = h.translate(pc, ACCESS_FETCH, 4);
    if (pa < 0) {
      h.trapped = false;
      return false;
    }
    const bus = h.bus;
    const off = pa - bus.ramBase;
    if (off < 0 || off + 4 > bus.ramSize) {
      h.takeTrap(CAUSE.fetchAccess, false, pc);
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

/**
 * Traps and interrupts: trap entry with delegation and monitors (priv 3.1.6.1, 3.1.8, 4.1.1),
 * interrupt selection by priority (priv 3.1.9), WFI's wait, and fault-loop detection.
 */
import { EXCEPTION_NAMES, IRQ, MSTATUS } from './csr.js';
import type { Hart } from './hart.js';

/** Interrupts in the order they are taken when several are pending (priv 3.1.9). */
const IRQ_PRIORITY = [IRQ.MEI, IRQ.MSI, IRQ.MTI, IRQ.SEI, IRQ.SSI, IRQ.STI] as const;

/** Takes exception `code` from a general-path operation and sets `trapped`. */
export function raise(h: Hart, code: number, tval: number): void {
  h.trapped = true;
  takeTrap(h, code, false, tval);
}

/**
 * Trap entry (priv 3.1.6.1, 3.1.8, 4.1.1) from `pc`: delegated traps from S or U go to S; the
 * rest go to M, where a monitor sees them first.
 */
export function takeTrap(h: Hart, code: number, interrupt: boolean, tval: number): void {
  const epc = h.pc;
  const from = h.privilege;
  h.traps++;
  (interrupt ? h.irqCounts : h.trapCounts)[code & 15]!++;
  h.reservation = -1;
  h.waiting = false;
  h.nextCheck = 0;
  const cause = interrupt ? (code | 0x80000000) | 0 : code;
  const deleg = interrupt ? h.mideleg : h.medeleg;
  let target: number;
  if (from <= 1 && ((deleg >>> code) & 1) !== 0) {
    h.scause = cause;
    h.sepc = epc;
    h.stval = tval | 0;
    let s = h.mstatus;
    s = (s & MSTATUS.SIE) !== 0 ? s | MSTATUS.SPIE : s & ~MSTATUS.SPIE;
    s &= ~MSTATUS.SIE;
    s = from === 1 ? s | MSTATUS.SPP : s & ~MSTATUS.SPP;
    h.mstatus = s;
    h.privilege = 1;
    target = h.stvec;
  } else {
    if (h.monitor !== undefined) {
      h.events['monitor.traps']++;
      const verdict = h.monitor.onTrap(h, { code, interrupt, cause, tval: tval | 0, epc, from });
      if (verdict === 'handled') {
        // Monitor time is never free (cost-model.ts): entry as any trap, and the resume as an mret.
        h.events['monitor.handled']++;
        h.clock.cycles += h.platform.cost.trapEntry + h.platform.cost.trapReturn;
        if (interrupt) {
          h.irqClaimed |= 1 << code;
          h.events['monitor.irq_claims']++;
        }
        h.refreshModes();
        return;
      }
    }
    h.mcause = cause;
    h.mepc = epc;
    h.mtval = tval | 0;
    let s = h.mstatus;
    s = (s & MSTATUS.MIE) !== 0 ? s | MSTATUS.MPIE : s & ~MSTATUS.MPIE;
    s &= ~MSTATUS.MIE;
    s = (s & ~MSTATUS.MPP) | (from << 11);
    h.mstatus = s;
    h.privilege = 3;
    target = h.mtvec;
  }
  const base = target & ~3;
  h.pc = ((target & 3) === 1 && interrupt ? base + 4 * code : base) | 0;
  h.clock.cycles += h.platform.cost.trapEntry;
  if (!interrupt && epc === h.lastVector && code === h.lastCause) {
    if (++h.loopCount >= 3) {
      h.faultLoop = {
        kind: 'fault-loop',
        cause: code,
        pc: epc >>> 0,
        tval: tval >>> 0,
        description: `trap handler at 0x${(epc >>> 0).toString(16)} faults with cause ${code} (${EXCEPTION_NAMES[code] ?? '?'}) tval 0x${(tval >>> 0).toString(16)}, again and again`,
      };
    }
  } else {
    h.loopCount = 0;
  }
  h.lastVector = h.pc;
  h.lastCause = interrupt ? -1 : code;
  h.refreshModes();
}

/** Takes the highest-priority enabled pending interrupt, if any (priv 3.1.9), and sets `nextCheck`. */
export function serviceInterrupts(h: Hart): void {
  const next = h.platform.nextEventCycle(h.hartId);
  // Lines were just read: an event time already passed changes nothing more.
  h.nextCheck = next > h.clock.cycles ? next : Infinity;
  const mip = h.mip();
  // A claimed interrupt is free again once its level is seen low (the interrupt rule).
  h.irqClaimed &= mip;
  const pending = mip & h.mie & ~h.irqClaimed;
  if (pending === 0) return;
  const priv = h.privilege;
  const mEnabled = priv < 3 || (h.mstatus & MSTATUS.MIE) !== 0;
  const sEnabled = priv < 1 || (priv === 1 && (h.mstatus & MSTATUS.SIE) !== 0);
  const m = mEnabled ? pending & ~h.mideleg : 0;
  const s = sEnabled ? pending & h.mideleg : 0;
  const take = m !== 0 ? m : s;
  if (take === 0) return;
  for (const irq of IRQ_PRIORITY) {
    if ((take & (1 << irq)) !== 0) {
      takeTrap(h, irq, true, 0);
      return;
    }
  }
}

/** One step of WFI: wake on mip & mie, else let time pass to the next event (counted in wfi.cycles). False = deadlock. */
export function waitForInterrupt(h: Hart): boolean {
  if ((h.mip() & h.mie) !== 0) {
    h.waiting = false;
    return true;
  }
  const next = h.platform.nextEventCycle(h.hartId);
  if (!(next > h.clock.cycles) || next === Infinity) return false;
  h.events['wfi.cycles'] += next - h.clock.cycles;
  h.clock.cycles = next;
  h.nextCheck = 0;
  return true;
}

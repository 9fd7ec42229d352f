/**
 * What the hypervisor needs from the hart and the board, in one place: the hart's `port` plus the
 * few things its hypervisor interface does not offer (raw sleep, the host timer). The hart itself
 * charges a handled trap trapEntry + trapReturn (cost-model.ts, "Monitor time").
 */
import { CSR } from '@virtlab/cpu-core';
import type { Hart, Privilege } from '@virtlab/cpu-core';
import type { VirtBoard } from '@virtlab/hw-model';

const CLINT_MTIMECMP = 0x4000;
const NEVER = 0xffffffff;

export class HostPort {
  constructor(
    readonly hart: Hart,
    readonly board: VirtBoard,
  ) {}

  readReg(i: number): number {
    return this.hart.port.readReg(i);
  }

  writeReg(i: number, v: number): void {
    this.hart.port.writeReg(i, v);
  }

  get pc(): number {
    return this.hart.port.pc;
  }

  set pc(v: number) {
    this.hart.port.pc = v;
  }

  set privilege(p: Privilege) {
    this.hart.port.privilege = p;
  }

  writeCsr(csr: number, v: number): void {
    this.hart.port.writeCsr(csr, v);
  }

  setSatp(v: number): void {
    this.hart.port.setSatp(v);
  }

  flushTlb(va: number | undefined, asid: number | undefined): void {
    this.hart.port.flushTlb(va, asid);
  }

  /** Instructions the hart retired (the guest's, since the hypervisor runs none). */
  get retired(): number {
    return this.hart.retired;
  }

  /**
   * Charges a strategy event at its price in the cost model (CostModelError if unpriced), through
   * the hart's hypervisor interface: counted by the hart as `event.<name>`, as the monitor's cost.
   */
  chargeEvent(name: string, times = 1): void {
    this.hart.port.chargeEvent(name, times);
  }

  /** Puts the hart to sleep until an interrupt is pending and enabled in mie (WFI's wait, priv 3.3.3). */
  sleep(): void {
    this.hart.waiting = true;
  }

  /** Ends a sleep: the hart runs on (another VM is switched in). */
  wake(): void {
    this.hart.waiting = false;
  }

  /** Whether the hart sleeps in a WFI. */
  get sleeping(): boolean {
    return this.hart.waiting;
  }

  /** Arms the host's machine timer (the hypervisor's own) for mtime `when`, or disarms it (undefined). */
  setHostTimer(when: number | undefined): void {
    const c = this.board.clint;
    const off = CLINT_MTIMECMP + 8 * this.hart.hartId;
    c.write(off + 4, NEVER, 4); // no spurious match while the halves are written
    // Times past 2^53 are not exact as doubles; none of them is ever reached by lab time.
    if (when === undefined || when >= 2 ** 53) {
      c.write(off, NEVER, 4);
    } else {
      c.write(off, when % 4294967296, 4);
      c.write(off + 4, Math.floor(when / 4294967296), 4);
    }
    this.hart.nextCheck = 0;
  }

  /** Puts the real hart in the state a deprivileged guest runs in: every trap to M, U-mode may touch memory its shadow maps. */
  deprivilege(): void {
    const p = this.hart.port;
    p.writeCsr(CSR.medeleg, 0);
    p.writeCsr(CSR.mideleg, 0);
    p.writeCsr(CSR.mcounteren, 0); // counter reads trap and are answered from the virtual counters
    p.writeCsr(CSR.scounteren, 0);
    p.writeCsr(CSR.pmpaddr0, -1); // one NAPOT entry over everything, R W X: the shadows do the confining
    p.writeCsr(CSR.pmpcfg0, 0x1f);
    p.writeCsr(CSR.mie, 1 << 7); // MTIE: the host timer carries the virtual timer
  }
}

/**
 * The virtual CPU: the guest's virtual privilege (virtual S or virtual U; both run in real U-mode)
 * and its virtual S-mode CSRs with the spec's WARL rules (priv 4.1), the way the hart keeps the
 * real ones. What the virtual machine's (absent) M-mode firmware would have set is fixed here:
 * every S interrupt delegated (mideleg = SSIP | STIP | SEIP), S and U may read cycle, time and
 * instret (mcounteren = 7), TVM, TSR and TW clear — what the project firmware sets on the board.
 */
import { CSR, DELEGABLE_IRQS, IRQ, MSTATUS, SSTATUS_MASK, SSTATUS_WRITABLE, csrName } from '@virtlab/cpu-core';

/** The guest's own privilege: 1 = virtual S (its kernel), 0 = virtual U (its processes). */
export type VirtualPrivilege = 0 | 1;

/** Where the guest's counters come from (64-bit values as safe integers). */
export interface VirtualCounters {
  cycles(): number;
  instret(): number;
  /** The guest's `time` (its mtime). */
  time(): number;
}

/** mcounteren of the virtual machine's firmware: CY, TM, IR (priv 3.1.11). */
export const VIRTUAL_MCOUNTEREN = 7;
/** sip bits S-mode may write (priv 4.1.3: only SSIP; STIP and SEIP come from the platform). */
const SIP_WRITABLE = 1 << IRQ.SSI;
const SENVCFG_WRITABLE = 1; // FIOM: no other extension that adds senvcfg fields is implemented

export class VcpuError extends Error {
  override name = 'VcpuError';
}

export class Vcpu {
  priv: VirtualPrivilege = 1;
  /** The sstatus bits (SSTATUS_MASK positions only; SD and UBE read 0). */
  sstatus = 0;
  sie = 0;
  /** SSIP as software wrote it. */
  sipSoft = 0;
  /** STIP and SEIP as the virtual timer and interrupt controller drive them. */
  sipLines = 0;
  stvec = 0;
  sscratch = 0;
  sepc = 0;
  scause = 0;
  stval = 0;
  satp = 0;
  scounteren = 0;
  senvcfg = 0;
  /** In WFI, waiting for a virtual interrupt. */
  waiting = false;

  constructor(
    readonly hartId: number,
    readonly counters: VirtualCounters,
  ) {}

  get sip(): number {
    return (this.sipSoft | this.sipLines) & DELEGABLE_IRQS;
  }

  /** Raises or lowers STIP/SEIP (device lines, not software-writable). */
  setLine(irq: typeof IRQ.STI | typeof IRQ.SEI, level: boolean): void {
    this.sipLines = level ? this.sipLines | (1 << irq) : this.sipLines & ~(1 << irq);
  }

  /**
   * Whether the current virtual privilege may read counter `csr` (cycle/time/instret and the
   * hpmcounters, with their high halves): gated by mcounteren in S and also scounteren in U
   * (priv 3.1.11, 4.1.5). Other CSRs: true.
   */
  counterAllowed(csr: number): boolean {
    if (!((csr >= 0xc00 && csr <= 0xc1f) || (csr >= 0xc80 && csr <= 0xc9f))) return true;
    const bit = 1 << (csr & 31);
    if ((VIRTUAL_MCOUNTEREN & bit) === 0) return false;
    return this.priv === 1 || (this.scounteren & bit) !== 0;
  }

  /** The value of a virtual CSR, or undefined when the virtual hart has no such CSR (S and U ones only). */
  readCsr(csr: number): number | undefined {
    switch (csr) {
      case CSR.sstatus:
        return this.sstatus & SSTATUS_MASK & ~MSTATUS.UBE;
      case CSR.sie:
        return this.sie;
      case CSR.sip:
        return this.sip;
      case CSR.stvec:
        return this.stvec;
      case CSR.sscratch:
        return this.sscratch;
      case CSR.sepc:
        return this.sepc;
      case CSR.scause:
        return this.scause;
      case CSR.stval:
        return this.stval;
      case CSR.satp:
        return this.satp;
      case CSR.scounteren:
        return this.scounteren;
      case CSR.senvcfg:
        return this.senvcfg;
      case CSR.cycle:
        return low(this.counters.cycles());
      case CSR.cycleh:
        return high(this.counters.cycles());
      case CSR.instret:
        return low(this.counters.instret());
      case CSR.instreth:
        return high(this.counters.instret());
      case CSR.time:
        return low(this.counters.time());
      case CSR.timeh:
        return high(this.counters.time());
      default:
        // hpmcounter3..31 (and high halves) exist and read 0, as on the hart.
        if (((csr >= 0xc03 && csr <= 0xc1f) || (csr >= 0xc83 && csr <= 0xc9f))) return 0;
        return undefined;
    }
  }

  /** Writes a virtual CSR with its WARL rules; `VcpuError` for a CSR `readCsr` does not know. */
  writeCsr(csr: number, value: number): void {
    const v = value | 0;
    switch (csr) {
      case CSR.sstatus:
        this.sstatus = (this.sstatus & ~SSTATUS_WRITABLE) | (v & SSTATUS_WRITABLE);
        return;
      case CSR.sie:
        this.sie = v & DELEGABLE_IRQS;
        return;
      case CSR.sip:
        this.sipSoft = (this.sipSoft & ~SIP_WRITABLE) | (v & SIP_WRITABLE);
        return;
      case CSR.stvec:
        if ((v & 3) < 2) this.stvec = v; // MODE >= 2 is reserved: the write is ignored (QEMU 7.2, as the hart)
        return;
      case CSR.sscratch:
        this.sscratch = v;
        return;
      case CSR.sepc:
        this.sepc = v & ~3; // IALIGN=32 without C (priv 4.1.7)
        return;
      case CSR.scause:
        this.scause = v;
        return;
      case CSR.stval:
        this.stval = v;
        return;
      case CSR.satp:
        this.satp = v; // Bare and Sv32 are both supported, every ASID bit is writable (priv 4.1.11)
        return;
      case CSR.scounteren:
        this.scounteren = v;
        return;
      case CSR.senvcfg:
        this.senvcfg = v & SENVCFG_WRITABLE;
        return;
      default:
        throw new VcpuError(`virtual hart ${this.hartId}: no writable virtual CSR ${csrName(csr)} (0x${csr.toString(16)})`);
    }
  }
}

function low(v: number): number {
  return (v % 4294967296) | 0;
}

function high(v: number): number {
  return Math.floor(v / 4294967296) | 0;
}

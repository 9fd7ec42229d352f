/**
 * The CSR file: reads and writes of every implemented CSR without privilege checks, with the WARL
 * rules of priv 1.12 chapters 2-4 (the privilege checks of csrr* instructions are the hart's).
 */
import {
  ALL_IRQS, CSR, DELEGABLE_EXCEPTIONS, DELEGABLE_IRQS, IRQ, MIP_WRITABLE, MISA, MSTATUS, MSTATUS_WRITABLE, SSTATUS_MASK, SSTATUS_WRITABLE,
} from './csr.js';
import type { Hart } from './hart.js';

/** Reads a CSR without privilege checks (monitors, the translator); undefined when not implemented. */
export function readCsrOf(h: Hart, csr: number): number | undefined {
  switch (csr) {
    case CSR.mstatus:
      return h.mstatus;
    case CSR.sstatus:
      return h.mstatus & SSTATUS_MASK;
    case CSR.misa:
      return MISA;
    case CSR.medeleg:
      return h.medeleg;
    case CSR.mideleg:
      return h.mideleg;
    case CSR.mie:
      return h.mie;
    case CSR.sie:
      return h.mie & h.mideleg;
    case CSR.mip:
      return h.mip();
    case CSR.sip:
      return h.mip() & h.mideleg;
    case CSR.mtvec:
      return h.mtvec;
    case CSR.stvec:
      return h.stvec;
    case CSR.mscratch:
      return h.mscratch;
    case CSR.sscratch:
      return h.sscratch;
    case CSR.mepc:
      return h.mepc;
    case CSR.sepc:
      return h.sepc;
    case CSR.mcause:
      return h.mcause;
    case CSR.scause:
      return h.scause;
    case CSR.mtval:
      return h.mtval;
    case CSR.stval:
      return h.stval;
    case CSR.mcounteren:
      return h.mcounteren;
    case CSR.scounteren:
      return h.scounteren;
    case CSR.mcountinhibit:
      return h.mcountinhibit;
    case CSR.menvcfg:
      return h.menvcfg;
    case CSR.senvcfg:
      return h.senvcfg;
    case CSR.mstatush:
    case CSR.menvcfgh:
    case CSR.mvendorid:
    case CSR.marchid:
    case CSR.mimpid:
    case CSR.mconfigptr:
      return 0;
    case CSR.mhartid:
      return h.hartId;
    case CSR.satp:
      return h.satp;
    case CSR.cycle:
    case CSR.mcycle:
      return low(h.clock.cycles + h.cycleOffset);
    case CSR.cycleh:
    case CSR.mcycleh:
      return high(h.clock.cycles + h.cycleOffset);
    case CSR.instret:
    case CSR.minstret:
      return low(h.retired + h.instretOffset);
    case CSR.instreth:
    case CSR.minstreth:
      return high(h.retired + h.instretOffset);
    case CSR.time:
      return low(h.clock.mtime);
    case CSR.timeh:
      return high(h.clock.mtime);
    default:
      if (csr >= CSR.pmpcfg0 && csr < CSR.pmpcfg0 + 4) return h.pmp.readCfg(csr - CSR.pmpcfg0);
      if (csr >= CSR.pmpaddr0 && csr < CSR.pmpaddr0 + 16) return h.pmp.addr[csr - CSR.pmpaddr0]! | 0;
      // hpmcounter3..31, their high halves, mhpmcounters and mhpmevents: implemented as zero.
      if ((csr & 31) >= 3 && [0xc00, 0xc80, 0xb00, 0xb80, 0x320].includes(csr & ~31)) return 0;
      return undefined;
  }
}

function low(v: number): number {
  return (v % 4294967296) | 0;
}

function high(v: number): number {
  return Math.floor(v / 4294967296) | 0;
}

/** Writes a CSR without privilege checks, applying its WARL rules; unknown CSRs are ignored. */
export function writeCsrOf(h: Hart, csr: number, value: number): void {
  const v = value | 0;
  switch (csr) {
    case CSR.mstatus: {
      let n = (h.mstatus & ~MSTATUS_WRITABLE) | (v & MSTATUS_WRITABLE);
      if (((n >>> 11) & 3) === 2) n = (n & ~MSTATUS.MPP) | (h.mstatus & MSTATUS.MPP); // MPP is WARL: 2 is reserved
      h.mstatus = n;
      break;
    }
    case CSR.sstatus:
      h.mstatus = (h.mstatus & ~SSTATUS_WRITABLE) | (v & SSTATUS_WRITABLE);
      break;
    case CSR.medeleg:
      h.medeleg = v & DELEGABLE_EXCEPTIONS;
      break;
    case CSR.mideleg:
      h.mideleg = v & DELEGABLE_IRQS;
      break;
    case CSR.mie:
      h.mie = v & ALL_IRQS;
      break;
    case CSR.sie:
      h.mie = (h.mie & ~h.mideleg) | (v & h.mideleg);
      break;
    case CSR.mip:
      h.mipSoft = (h.mipSoft & ~MIP_WRITABLE) | (v & MIP_WRITABLE);
      break;
    case CSR.sip: {
      const m = h.mideleg & (1 << IRQ.SSI); // only SSIP is writable through sip (priv 4.1.3)
      h.mipSoft = (h.mipSoft & ~m) | (v & m);
      break;
    }
    case CSR.mtvec:
      if ((v & 3) < 2) h.mtvec = v; // QEMU 7.2 ignores reserved modes
      break;
    case CSR.stvec:
      if ((v & 3) < 2) h.stvec = v;
      break;
    case CSR.mscratch:
      h.mscratch = v;
      break;
    case CSR.sscratch:
      h.sscratch = v;
      break;
    case CSR.mepc:
      h.mepc = v & ~3; // IALIGN=32 without C
      break;
    case CSR.sepc:
      h.sepc = v & ~3;
      break;
    case CSR.mcause:
      h.mcause = v;
      break;
    case CSR.scause:
      h.scause = v;
      break;
    case CSR.mtval:
      h.mtval = v;
      break;
    case CSR.stval:
      h.stval = v;
      break;
    case CSR.mcounteren:
      h.mcounteren = v;
      break;
    case CSR.scounteren:
      h.scounteren = v;
      break;
    case CSR.mcountinhibit:
      h.mcountinhibit = v & ~2;
      break;
    case CSR.menvcfg:
      h.menvcfg = v & 1; // FIOM
      break;
    case CSR.senvcfg:
      h.senvcfg = v & 1;
      break;
    case CSR.satp:
      h.satp = v;
      break;
    case CSR.mcycle:
      h.cycleOffset = (Math.floor((h.clock.cycles + h.cycleOffset) / 4294967296) * 4294967296 + (v >>> 0)) - h.clock.cycles;
      break;
    case CSR.mcycleh:
      h.cycleOffset = (v >>> 0) * 4294967296 + ((h.clock.cycles + h.cycleOffset) % 4294967296) - h.clock.cycles;
      break;
    case CSR.minstret:
      // The write happens instead of this instruction's own increment (priv 3.1.10): hence -1.
      h.instretOffset = (Math.floor((h.retired + h.instretOffset) / 4294967296) * 4294967296 + (v >>> 0)) - h.retired - 1;
      break;
    case CSR.minstreth:
      h.instretOffset = (v >>> 0) * 4294967296 + ((h.retired + h.instretOffset) % 4294967296) - h.retired - 1;
      break;
    default:
      if (csr >= CSR.pmpcfg0 && csr < CSR.pmpcfg0 + 4) h.pmp.writeCfg(csr - CSR.pmpcfg0, v);
      else if (csr >= CSR.pmpaddr0 && csr < CSR.pmpaddr0 + 16) h.pmp.writeAddr(csr - CSR.pmpaddr0, v);
      else return;
      pmpChanged(h);
      return;
  }
  h.refreshModes();
}

function pmpChanged(h: Hart): void {
  const t = h.tlb;
  for (let e = 0; e < t.size; e++) if (t.vpn[e]! >= 0) t.pmp[e] = h.pmp.permissions(t.physical[e]!, 4096, 1);
  h.refreshModes();
}

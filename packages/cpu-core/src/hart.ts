/**
 * One RV32IMA hart with M, S and U modes (priv 1.12), Sv32 with a modeled TLB, PMP, and a
 * predecoded interpreter.
 *
 * Speed design: code is predecoded per physical 4 KiB page into typed arrays (one packed int per
 * instruction: handler id | rd << 7 | rs1 << 13 | rs2 << 19 | cost << 25, plus an immediate), and the run loop
 * is one switch over the handler id. Writes to x0 go to a sink register 32, so x0 reads 0 without
 * a per-instruction reset. Lab cycles are charged from a per-handler cost table; interrupts are
 * looked at only when the clock reaches the platform's next event or after MMIO and CSR writes.
 * Stores into a predecoded page clear that instruction's entry, which is decoded again when
 * reached: self-modifying code is always seen, as on QEMU.
 */
import { mulhu } from './mulhu.js';
import { BusError, INSTRUCTION_CLASSES } from '@virtlab/hw-model';
import type { Bus, HaltReason, HartPlatform, InstructionClass, LabClock } from '@virtlab/hw-model';
import {
  CAUSE, CSR, DELEGABLE_EXCEPTIONS, DELEGABLE_IRQS, EXCEPTION_NAMES, INTERRUPT_NAMES, IRQ, MIP_WRITABLE, MISA,
  MSTATUS, MSTATUS_WRITABLE, SSTATUS_MASK, SSTATUS_WRITABLE, csrPrivilege, csrReadOnly, ALL_IRQS,
} from './csr.js';
import type { Privilege } from './csr.js';
import { FORM_BY_OP, OP_COUNT, OP_ILLEGAL, OP_PAGE_END, decodeForm, field, imm, operandImmediate } from './decoder-table.js';
import { disassemble } from './disassemble.js';
import { RV32IMA_PROFILE, isaProfile } from './isa-profile.js';
import type { IsaProfile } from './isa-profile.js';
import { PMP_R, PMP_W, PMP_X, Pmp } from './pmp.js';
import { FAST_EXEC, FAST_READ, FAST_WRITE, Tlb } from './tlb.js';
import { ACCESS_FETCH, ACCESS_LOAD, ACCESS_STORE, PTE, accessFaultCause, pageFaultCause, ptePermits } from './pte.js';
import type { AccessKind } from './pte.js';

export { ACCESS_FETCH, ACCESS_LOAD, ACCESS_STORE } from './pte.js';
export type { AccessKind } from './pte.js';

const { V: PTE_V, R: PTE_R, W: PTE_W, X: PTE_X, G: PTE_G, A: PTE_A, D: PTE_D } = PTE;

const SLOT = 1025; // 1024 instructions and the page-end sentinel
// One typed array holds, in order: the registers (64 ints), the TLB's fast table, the predecoded pages.
const REGS_AREA = 64;
const TLB_AREA = REGS_AREA;
const CHUNK = 1 << 24;
const INT_MIN = -0x80000000;
const IRQ_PRIORITY = [IRQ.MEI, IRQ.MSI, IRQ.MTI, IRQ.SEI, IRQ.SSI, IRQ.STI] as const; // priv 3.1.9

/** Why `run` returned. `run` never throws for anything the guest does. */
export type StopReason =
  | { readonly kind: 'halted'; readonly halt: HaltReason }
  | { readonly kind: 'budget' }
  /** WFI with no interrupt that could ever wake the hart. */
  | { readonly kind: 'deadlock'; readonly pc: number }
  /** The trap handler itself faults with the same cause, over and over (e.g. a jump into nothing with no handler). */
  | { readonly kind: 'fault-loop'; readonly cause: number; readonly pc: number; readonly tval: number; readonly description: string };

export interface RunResult {
  readonly stop: StopReason;
  /** Instructions retired by this call. */
  readonly instructions: number;
  readonly pc: number;
}

/** What a monitor is told about a trap bound for M-mode, before the hart vectors to mtvec. */
export interface TrapInfo {
  /** Exception code or interrupt number (without the interrupt bit). */
  readonly code: number;
  readonly interrupt: boolean;
  /** The mcause value the trap would write. */
  readonly cause: number;
  readonly tval: number;
  readonly epc: number;
  /** Privilege the trap came from. */
  readonly from: Privilege;
}

/**
 * A hypervisor or firmware written in TypeScript. `onTrap` sees every trap bound for M-mode;
 * returning 'handled' resumes the hart with whatever state the monitor left (through
 * `hart.port`), 'deliver' lets the hart vector to mtvec as usual.
 */
export interface HartMonitor {
  onTrap(hart: Hart, trap: TrapInfo): 'handled' | 'deliver';
}

export interface HartOptions {
  readonly hartId?: number;
  readonly profile?: IsaProfile | 'rv32ima' | 'legacy';
  /** Modeled TLB entries (power of two); default 64. */
  readonly tlbEntries?: number;
  /** Physical pages whose predecoded form is cached; default 256 (1 MiB of code). */
  readonly predecodePages?: number;
  readonly resetPc?: number;
  readonly monitor?: HartMonitor;
}

export class HartError extends Error {
  override name = 'HartError';
}

/** Cycles from `base` until `next`, as an int32 the run loop can compare against (capped). */
function limitFrom(next: number, base: number): number {
  const d = next - base;
  return d >= 0x3fffffff ? 0x3fffffff : d <= 0 ? 0 : d | 0;
}

const EVENT_NAMES = [
  'tlb.misses', 'tlb.flushes', 'tlb.walk_levels', 'predecode.pages', 'predecode.flushes', 'wfi.entries', 'wfi.cycles',
  'mmio.accesses', 'monitor.traps', 'monitor.handled', 'monitor.reg_reads', 'monitor.reg_writes', 'monitor.pc_writes',
  'monitor.csr_reads', 'monitor.csr_writes', 'monitor.priv_writes', 'monitor.satp_switches', 'monitor.tlb_flushes',
  'monitor.irq_injections', 'lrsc.sc_failures',
] as const;
export type HartEventName = (typeof EVENT_NAMES)[number];

const EXIT_LIMIT = 0;
const EXIT_DECODE = 1;
const EXIT_PAGE_END = 2;
const EXIT_JUMP = 3;
const EXIT_SLOW = 4;

/** What the fast loop works on; one object per hart, filled by `run` before each entry. */
class FastState {
  pd: Int32Array = new Int32Array(0);
  ram32: Int32Array = new Int32Array(0);
  cnt: Float64Array = new Float64Array(0);
  pageSlot: Int32Array = new Int32Array(0);
  rb = 0;
  rl4 = 0;
  tm = 0;
  tb = 0;
  dm = 0;
  bias = 0;
  i = 0;
  n = 0;
  sp = 0;
  lim = 0;
  th = 0;
  jt = 0;
}

/**
 * The interpreter's hot loop: straight-line code with no calls, so that V8 keeps the typed
 * arrays' data pointers in registers. It runs until the budget or the cycle limit is reached or
 * an instruction needs the general path, then returns why (EXIT_*) with its state in `st`.
 */
function fastLoop(st: FastState): number {
  const pd = st.pd;
  const r = pd; // registers are pd[0..32]
  const ram32 = st.ram32;
  const cnt = st.cnt;
  const pageSlot = st.pageSlot;
  const rb = st.rb;
  const rl4 = st.rl4;
  const tm = st.tm;
  const tb = st.tb;
  const dm = st.dm;
  const bias = st.bias;
  const lim = st.lim;
  let i = st.i;
  let n = st.n;
  let sp = st.sp;
  let th = st.th;
  let code = EXIT_LIMIT;
  loop: for (;;) {
    if (n === 0 || sp >= lim) break;
    const w = pd[i]!;
    const op = w & 0x7f;
    n--;
    sp = (sp + (w >>> 25)) | 0;
    switch (op) {
      case 0:
        // Not decoded yet (new page, or cleared by a store): the caller decodes it.
        n++;
        code = EXIT_DECODE;
        break loop;
      case 1: // lui
        r[(w >> 7) & 63] = pd[i + 1]!;
        i += 2;
        continue;
      case 2: // auipc
        r[(w >> 7) & 63] = (bias + (i << 1) + pd[i + 1]!) | 0;
        i += 2;
        continue;
      case 3: {
        cnt[op] = cnt[op]! + 1;
        // jal
        const pc = (bias + (i << 1)) | 0;
        const t = (pc + pd[i + 1]!) | 0;
        sp = (sp + tb) | 0;
        if ((t & 3) === 0) {
          r[(w >> 7) & 63] = (pc + 4) | 0;
          if (((t ^ pc) >>> 12) === 0) {
            i = (t - bias) >> 1;
            continue;
          }
        }
        st.jt = t;
        code = EXIT_JUMP;
        break loop;
      }
      case 4: {
        cnt[op] = cnt[op]! + 1;
        // jalr
        const pc = (bias + (i << 1)) | 0;
        const t = ((r[(w >> 13) & 63]! + pd[i + 1]!) & ~1) | 0;
        sp = (sp + tb) | 0;
        if ((t & 3) === 0) {
          r[(w >> 7) & 63] = (pc + 4) | 0;
          if (((t ^ pc) >>> 12) === 0) {
            i = (t - bias) >> 1;
            continue;
          }
        }
        st.jt = t;
        code = EXIT_JUMP;
        break loop;
      }
      case 5: // beq
        cnt[op] = cnt[op]! + 1;
        if (r[(w >> 13) & 63]! === r[(w >> 19) & 63]!) {
          const pc = (bias + (i << 1)) | 0;
          const t = (pc + pd[i + 1]!) | 0;
          sp = (sp + tb) | 0;
          if (((t ^ pc) >>> 12) === 0 && (t & 3) === 0) {
            i = (t - bias) >> 1;
            continue;
          }
          st.jt = t;
          code = EXIT_JUMP;
          break loop;
        }
        i += 2;
        continue;
      case 6: // bne
        cnt[op] = cnt[op]! + 1;
        if (r[(w >> 13) & 63]! !== r[(w >> 19) & 63]!) {
          const pc = (bias + (i << 1)) | 0;
          const t = (pc + pd[i + 1]!) | 0;
          sp = (sp + tb) | 0;
          if (((t ^ pc) >>> 12) === 0 && (t & 3) === 0) {
            i = (t - bias) >> 1;
            continue;
          }
          st.jt = t;
          code = EXIT_JUMP;
          break loop;
        }
        i += 2;
        continue;
      case 7: // blt
        cnt[op] = cnt[op]! + 1;
        if (r[(w >> 13) & 63]! < r[(w >> 19) & 63]!) {
          const pc = (bias + (i << 1)) | 0;
          const t = (pc + pd[i + 1]!) | 0;
          sp = (sp + tb) | 0;
          if (((t ^ pc) >>> 12) === 0 && (t & 3) === 0) {
            i = (t - bias) >> 1;
            continue;
          }
          st.jt = t;
          code = EXIT_JUMP;
          break loop;
        }
        i += 2;
        continue;
      case 8: // bge
        cnt[op] = cnt[op]! + 1;
        if (r[(w >> 13) & 63]! >= r[(w >> 19) & 63]!) {
          const pc = (bias + (i << 1)) | 0;
          const t = (pc + pd[i + 1]!) | 0;
          sp = (sp + tb) | 0;
          if (((t ^ pc) >>> 12) === 0 && (t & 3) === 0) {
            i = (t - bias) >> 1;
            continue;
          }
          st.jt = t;
          code = EXIT_JUMP;
          break loop;
        }
        i += 2;
        continue;
      case 9: // bltu
        cnt[op] = cnt[op]! + 1;
        if (r[(w >> 13) & 63]! >>> 0 < r[(w >> 19) & 63]! >>> 0) {
          const pc = (bias + (i << 1)) | 0;
          const t = (pc + pd[i + 1]!) | 0;
          sp = (sp + tb) | 0;
          if (((t ^ pc) >>> 12) === 0 && (t & 3) === 0) {
            i = (t - bias) >> 1;
            continue;
          }
          st.jt = t;
          code = EXIT_JUMP;
          break loop;
        }
        i += 2;
        continue;
      case 10: // bgeu
        cnt[op] = cnt[op]! + 1;
        if (r[(w >> 13) & 63]! >>> 0 >= r[(w >> 19) & 63]! >>> 0) {
          const pc = (bias + (i << 1)) | 0;
          const t = (pc + pd[i + 1]!) | 0;
          sp = (sp + tb) | 0;
          if (((t ^ pc) >>> 12) === 0 && (t & 3) === 0) {
            i = (t - bias) >> 1;
            continue;
          }
          st.jt = t;
          code = EXIT_JUMP;
          break loop;
        }
        i += 2;
        continue;
      case 11: {
        // lb
        const a = (r[(w >> 13) & 63]! + pd[i + 1]!) | 0;
        let o = -1;
        if (dm === 0) {
          const x = (a - rb) >>> 0;
          if (x <= rl4 + 3) o = x;
        } else if (dm === 1) {
          const e = TLB_AREA + (((a >>> 12) & tm) << 2);
          if (pd[e] === a >>> 12 && (pd[e + 1]! & FAST_READ) !== 0) {
            th++;
            o = pd[e + 2]! + (a & 0xfff);
          }
        }
        if (o >= 0 && true) {
          cnt[op] = cnt[op]! + 1;
          r[(w >> 7) & 63] = (ram32[o >>> 2]! << (24 - ((o & 3) << 3))) >> 24;
          i += 2;
          continue;
        }
        code = EXIT_SLOW;
        break loop;
      }
      case 12: {
        // lh
        const a = (r[(w >> 13) & 63]! + pd[i + 1]!) | 0;
        let o = -1;
        if (dm === 0) {
          const x = (a - rb) >>> 0;
          if (x <= rl4 + 2) o = x;
        } else if (dm === 1) {
          const e = TLB_AREA + (((a >>> 12) & tm) << 2);
          if (pd[e] === a >>> 12 && (pd[e + 1]! & FAST_READ) !== 0) {
            th++;
            o = pd[e + 2]! + (a & 0xfff);
          }
        }
        if (o >= 0 && (a & 1) === 0) {
          cnt[op] = cnt[op]! + 1;
          r[(w >> 7) & 63] = (ram32[o >>> 2]! << (16 - ((o & 2) << 3))) >> 16;
          i += 2;
          continue;
        }
        code = EXIT_SLOW;
        break loop;
      }
      case 13: {
        // lw
        const a = (r[(w >> 13) & 63]! + pd[i + 1]!) | 0;
        let o = -1;
        if (dm === 0) {
          const x = (a - rb) >>> 0;
          if (x <= rl4) o = x;
        } else if (dm === 1) {
          const e = TLB_AREA + (((a >>> 12) & tm) << 2);
          if (pd[e] === a >>> 12 && (pd[e + 1]! & FAST_READ) !== 0) {
            th++;
            o = pd[e + 2]! + (a & 0xfff);
          }
        }
        if (o >= 0 && (a & 3) === 0) {
          cnt[op] = cnt[op]! + 1;
          r[(w >> 7) & 63] = ram32[o >>> 2]!;
          i += 2;
          continue;
        }
        code = EXIT_SLOW;
        break loop;
      }
      case 14: {
        // lbu
        const a = (r[(w >> 13) & 63]! + pd[i + 1]!) | 0;
        let o = -1;
        if (dm === 0) {
          const x = (a - rb) >>> 0;
          if (x <= rl4 + 3) o = x;
        } else if (dm === 1) {
          const e = TLB_AREA + (((a >>> 12) & tm) << 2);
          if (pd[e] === a >>> 12 && (pd[e + 1]! & FAST_READ) !== 0) {
            th++;
            o = pd[e + 2]! + (a & 0xfff);
          }
        }
        if (o >= 0 && true) {
          cnt[op] = cnt[op]! + 1;
          r[(w >> 7) & 63] = (ram32[o >>> 2]! >>> ((o & 3) << 3)) & 0xff;
          i += 2;
          continue;
        }
        code = EXIT_SLOW;
        break loop;
      }
      case 15: {
        // lhu
        const a = (r[(w >> 13) & 63]! + pd[i + 1]!) | 0;
        let o = -1;
        if (dm === 0) {
          const x = (a - rb) >>> 0;
          if (x <= rl4 + 2) o = x;
        } else if (dm === 1) {
          const e = TLB_AREA + (((a >>> 12) & tm) << 2);
          if (pd[e] === a >>> 12 && (pd[e + 1]! & FAST_READ) !== 0) {
            th++;
            o = pd[e + 2]! + (a & 0xfff);
          }
        }
        if (o >= 0 && (a & 1) === 0) {
          cnt[op] = cnt[op]! + 1;
          r[(w >> 7) & 63] = (ram32[o >>> 2]! >>> ((o & 2) << 3)) & 0xffff;
          i += 2;
          continue;
        }
        code = EXIT_SLOW;
        break loop;
      }
      case 16: {
        // sb
        const a = (r[(w >> 13) & 63]! + pd[i + 1]!) | 0;
        let o = -1;
        if (dm === 0) {
          const x = (a - rb) >>> 0;
          if (x <= rl4 + 3) o = x;
        } else if (dm === 1) {
          const e = TLB_AREA + (((a >>> 12) & tm) << 2);
          if (pd[e] === a >>> 12 && (pd[e + 1]! & FAST_WRITE) !== 0) {
            th++;
            o = pd[e + 2]! + (a & 0xfff);
          }
        }
        if (o >= 0 && true) {
          cnt[op] = cnt[op]! + 1;
          const k = o >>> 2;
          const sh = (o & 3) << 3;
          ram32[k] = (ram32[k]! & ~(0xff << sh)) | ((r[(w >> 19) & 63]! & 0xff) << sh);
          const ps = pageSlot[o >>> 12]!;
          if (ps >= 0) pd[ps + (((o & 0xfff) >>> 2) << 1)] = 0;
          i += 2;
          continue;
        }
        code = EXIT_SLOW;
        break loop;
      }
      case 17: {
        // sh
        const a = (r[(w >> 13) & 63]! + pd[i + 1]!) | 0;
        let o = -1;
        if (dm === 0) {
          const x = (a - rb) >>> 0;
          if (x <= rl4 + 2) o = x;
        } else if (dm === 1) {
          const e = TLB_AREA + (((a >>> 12) & tm) << 2);
          if (pd[e] === a >>> 12 && (pd[e + 1]! & FAST_WRITE) !== 0) {
            th++;
            o = pd[e + 2]! + (a & 0xfff);
          }
        }
        if (o >= 0 && (a & 1) === 0) {
          cnt[op] = cnt[op]! + 1;
          const k = o >>> 2;
          const sh = (o & 2) << 3;
          ram32[k] = (ram32[k]! & ~(0xffff << sh)) | ((r[(w >> 19) & 63]! & 0xffff) << sh);
          const ps = pageSlot[o >>> 12]!;
          if (ps >= 0) pd[ps + (((o & 0xfff) >>> 2) << 1)] = 0;
          i += 2;
          continue;
        }
        code = EXIT_SLOW;
        break loop;
      }
      case 18: {
        // sw
        const a = (r[(w >> 13) & 63]! + pd[i + 1]!) | 0;
        let o = -1;
        if (dm === 0) {
          const x = (a - rb) >>> 0;
          if (x <= rl4) o = x;
        } else if (dm === 1) {
          const e = TLB_AREA + (((a >>> 12) & tm) << 2);
          if (pd[e] === a >>> 12 && (pd[e + 1]! & FAST_WRITE) !== 0) {
            th++;
            o = pd[e + 2]! + (a & 0xfff);
          }
        }
        if (o >= 0 && (a & 3) === 0) {
          cnt[op] = cnt[op]! + 1;
          ram32[o >>> 2] = r[(w >> 19) & 63]!;
          const ps = pageSlot[o >>> 12]!;
          if (ps >= 0) pd[ps + (((o & 0xfff) >>> 2) << 1)] = 0;
          i += 2;
          continue;
        }
        code = EXIT_SLOW;
        break loop;
      }
      case 19: // addi
        r[(w >> 7) & 63] = (r[(w >> 13) & 63]! + pd[i + 1]!) | 0;
        i += 2;
        continue;
      case 20: // slti
        r[(w >> 7) & 63] = r[(w >> 13) & 63]! < pd[i + 1]! ? 1 : 0;
        i += 2;
        continue;
      case 21: // sltiu
        r[(w >> 7) & 63] = r[(w >> 13) & 63]! >>> 0 < pd[i + 1]! >>> 0 ? 1 : 0;
        i += 2;
        continue;
      case 22: // xori
        r[(w >> 7) & 63] = r[(w >> 13) & 63]! ^ pd[i + 1]!;
        i += 2;
        continue;
      case 23: // ori
        r[(w >> 7) & 63] = r[(w >> 13) & 63]! | pd[i + 1]!;
        i += 2;
        continue;
      case 24: // andi
        r[(w >> 7) & 63] = r[(w >> 13) & 63]! & pd[i + 1]!;
        i += 2;
        continue;
      case 25: // slli
        r[(w >> 7) & 63] = r[(w >> 13) & 63]! << pd[i + 1]!;
        i += 2;
        continue;
      case 26: // srli
        r[(w >> 7) & 63] = r[(w >> 13) & 63]! >>> pd[i + 1]!;
        i += 2;
        continue;
      case 27: // srai
        r[(w >> 7) & 63] = r[(w >> 13) & 63]! >> pd[i + 1]!;
        i += 2;
        continue;
      case 28: // add
        r[(w >> 7) & 63] = (r[(w >> 13) & 63]! + r[(w >> 19) & 63]!) | 0;
        i += 2;
        continue;
      case 29: // sub
        r[(w >> 7) & 63] = (r[(w >> 13) & 63]! - r[(w >> 19) & 63]!) | 0;
        i += 2;
        continue;
      case 30: // sll
        r[(w >> 7) & 63] = r[(w >> 13) & 63]! << r[(w >> 19) & 63]!;
        i += 2;
        continue;
      case 31: // slt
        r[(w >> 7) & 63] = r[(w >> 13) & 63]! < r[(w >> 19) & 63]! ? 1 : 0;
        i += 2;
        continue;
      case 32: // sltu
        r[(w >> 7) & 63] = r[(w >> 13) & 63]! >>> 0 < r[(w >> 19) & 63]! >>> 0 ? 1 : 0;
        i += 2;
        continue;
      case 33: // xor
        r[(w >> 7) & 63] = r[(w >> 13) & 63]! ^ r[(w >> 19) & 63]!;
        i += 2;
        continue;
      case 34: // srl
        r[(w >> 7) & 63] = r[(w >> 13) & 63]! >>> r[(w >> 19) & 63]!;
        i += 2;
        continue;
      case 35: // sra
        r[(w >> 7) & 63] = r[(w >> 13) & 63]! >> r[(w >> 19) & 63]!;
        i += 2;
        continue;
      case 36: // or
        r[(w >> 7) & 63] = r[(w >> 13) & 63]! | r[(w >> 19) & 63]!;
        i += 2;
        continue;
      case 37: // and
        r[(w >> 7) & 63] = r[(w >> 13) & 63]! & r[(w >> 19) & 63]!;
        i += 2;
        continue;
      case 48: // mul
        cnt[op] = cnt[op]! + 1;
        r[(w >> 7) & 63] = Math.imul(r[(w >> 13) & 63]!, r[(w >> 19) & 63]!);
        i += 2;
        continue;
      case 51: // mulhu
        cnt[op] = cnt[op]! + 1;
        r[(w >> 7) & 63] = mulhu(r[(w >> 13) & 63]!, r[(w >> 19) & 63]!);
        i += 2;
        continue;
      case 49: {
        cnt[op] = cnt[op]! + 1;
        // mulh: the unsigned high half corrected for the signs (two's complement identity)
        const a = r[(w >> 13) & 63]!;
        const b = r[(w >> 19) & 63]!;
        r[(w >> 7) & 63] = (mulhu(a, b) - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
        i += 2;
        continue;
      }
      case 50: {
        cnt[op] = cnt[op]! + 1;
        // mulhsu
        const a = r[(w >> 13) & 63]!;
        const b = r[(w >> 19) & 63]!;
        r[(w >> 7) & 63] = (mulhu(a, b) - (a < 0 ? b : 0)) | 0;
        i += 2;
        continue;
      }
      case 52: {
        cnt[op] = cnt[op]! + 1;
        // div: by zero gives -1, overflow gives the dividend (unpriv 13.2)
        const a = r[(w >> 13) & 63]!;
        const b = r[(w >> 19) & 63]!;
        r[(w >> 7) & 63] = b === 0 ? -1 : a === INT_MIN && b === -1 ? a : (a / b) | 0;
        i += 2;
        continue;
      }
      case 53: {
        cnt[op] = cnt[op]! + 1;
        // divu
        const b = r[(w >> 19) & 63]! >>> 0;
        r[(w >> 7) & 63] = b === 0 ? -1 : (r[(w >> 13) & 63]! >>> 0) / b;
        i += 2;
        continue;
      }
      case 54: {
        cnt[op] = cnt[op]! + 1;
        // rem: by zero gives the dividend, overflow gives 0
        const a = r[(w >> 13) & 63]!;
        const b = r[(w >> 19) & 63]!;
        r[(w >> 7) & 63] = b === 0 ? a : b === -1 ? 0 : a % b;
        i += 2;
        continue;
      }
      case 55: {
        cnt[op] = cnt[op]! + 1;
        // remu
        const a = r[(w >> 13) & 63]!;
        const b = r[(w >> 19) & 63]! >>> 0;
        r[(w >> 7) & 63] = b === 0 ? a : (a >>> 0) % b;
        i += 2;
        continue;
      }
      case 72: // OP_PAGE_END
        n++;
        code = EXIT_PAGE_END;
        break loop;
      default:
        code = EXIT_SLOW;
        break loop;
    }
  }
  st.i = i;
  st.n = n;
  st.sp = sp;
  st.th = th;
  return code;
}

export class Hart {
  readonly hartId: number;
  readonly profile: IsaProfile;
  readonly platform: HartPlatform;
  readonly bus: Bus;
  readonly clock: LabClock;
  /**
   * x0..x31; index 32 is where writes to x0 go. Raw state: uncounted (monitors use `port`). It is
   * a view on the front of the predecode array, so the run loop reaches registers and predecoded
   * code through one typed array.
   */
  readonly regs: Int32Array;
  pc: number;
  #privilege: Privilege = 3;
  monitor: HartMonitor | undefined;
  readonly tlb: Tlb;
  readonly pmp = new Pmp();
  readonly port: MonitorPort;

  // CSR state (priv 1.12 chapter 3 and 4).
  mstatus = 0;
  medeleg = 0;
  mideleg = 0;
  mie = 0;
  /** mip bits written by software (SSIP, STIP, SEIP); device lines come from the platform. */
  mipSoft = 0;
  /** mip bits a monitor injected. */
  mipInjected = 0;
  mtvec = 0;
  mscratch = 0;
  mepc = 0;
  mcause = 0;
  mtval = 0;
  mcounteren = 0;
  mcountinhibit = 0;
  menvcfg = 0;
  stvec = 0;
  sscratch = 0;
  sepc = 0;
  scause = 0;
  stval = 0;
  scounteren = 0;
  senvcfg = 0;
  satp = 0;

  /** Instructions retired since reset. */
  retired = 0;
  /** Set when the last general-path operation took a trap. */
  trapped = false;
  /** In WFI, waiting for an interrupt. */
  waiting = false;
  /** Lab cycle at which interrupt lines must be looked at again. */
  nextCheck = 0;

  #cycleOffset = 0;
  #instretOffset = 0;
  #reservation = -1;
  #reservationValue = 0;
  #traps = 0;
  readonly #trapCounts = new Float64Array(16);
  readonly #irqCounts = new Float64Array(16);
  #tlbHits = 0;
  readonly #events: Record<HartEventName, number>;

  // Derived mode state (see #modesChanged).
  #effPriv: Privilege = 3;
  #dataTranslate = false;
  #fetchTranslate = false;
  #asid = 0;
  /** 0: loads/stores go straight to RAM; 1: through the TLB fast path; 2: general path only. */
  #dataMode = 0;

  // Predecode cache.
  /** Two ints per instruction: the packed word, then the immediate. */
  readonly #pd: Int32Array;
  readonly #slotPage: Int32Array;
  readonly #pageSlot: Int32Array;
  #nextSlot = 0;
  readonly #opCount = new Float64Array(OP_COUNT);
  readonly #opCost = new Int32Array(OP_COUNT);

  readonly #fast = new FastState();
  readonly #slotArea: number;
  /** 64 entries of [vpn, slot base, RAM offset, 0]; cleared whenever modes, PMP or the predecode slots change. */
  readonly #fetchCache = new Int32Array(256).fill(-1);

  // Current fetch page.
  #fSb = 0;
  #fVpage = 0;
  #fPhys = 0;
  #fSingle = false;

  // Fault-loop detection.
  #lastVector = -1;
  #lastCause = -1;
  #loopCount = 0;
  #faultLoop: StopReason | undefined;


  constructor(platform: HartPlatform, options: HartOptions = {}) {
    this.platform = platform;
    this.bus = platform.bus;
    this.clock = platform.clock;
    this.hartId = options.hartId ?? 0;
    const p = options.profile ?? RV32IMA_PROFILE;
    this.profile = typeof p === 'string' ? isaProfile(p) : p;
    const tlbEntries = options.tlbEntries ?? 64;
    if (!Number.isInteger(tlbEntries) || tlbEntries < 1 || (tlbEntries & (tlbEntries - 1)) !== 0 || tlbEntries > 65536) {
      throw new RangeError(`tlbEntries must be a power of two between 1 and 65536, got ${tlbEntries}`);
    }
    this.monitor = options.monitor;
    this.pc = (options.resetPc ?? this.bus.ramBase) | 0;
    const pages = options.predecodePages ?? 256;
    if (!Number.isInteger(pages) || pages < 1) throw new RangeError(`predecodePages must be a positive integer, got ${pages}`);
    this.#slotArea = TLB_AREA + tlbEntries * 4;
    this.#pd = new Int32Array(this.#slotArea + pages * SLOT * 2);
    this.regs = this.#pd.subarray(0, 33);
    this.tlb = new Tlb(tlbEntries, this.#pd.subarray(TLB_AREA, this.#slotArea));
    this.#slotPage = new Int32Array(pages).fill(-1);
    this.#pageSlot = new Int32Array(this.bus.ramSize / 4096).fill(-1);
    const cost = platform.cost;
    for (let op = 0; op < OP_COUNT; op++) {
      const f = FORM_BY_OP[op];
      const c = f === undefined ? 0 : cost.instruction[f.cls];
      // The price rides in the predecoded word's top 7 bits.
      if (!(c >= 0 && c <= 127)) throw new HartError(`cost model: instruction.${f?.cls ?? '?'} = ${c} cycles; the hart supports 0..127 per instruction`);
      this.#opCost[op] = c;
    }
    // The run loop counts cycles in an int32 between checks; keep one step's price far below 2^30.
    if (!(cost.takenBranch >= 0 && cost.takenBranch <= 1 << 20)) throw new HartError(`cost model: takenBranch = ${cost.takenBranch}; the hart supports 0..${1 << 20}`);
    this.#events = Object.fromEntries(EVENT_NAMES.map((n) => [n, 0])) as Record<HartEventName, number>;
    this.port = new MonitorPort(this, this.#events);
    this.bus.onRamWrite((address, length) => this.invalidateCode(address, length));
    const st = this.#fast;
    st.pd = this.#pd;
    st.ram32 = this.bus.ram32;
    st.cnt = this.#opCount;
    st.pageSlot = this.#pageSlot;
    st.rb = this.bus.ramBase | 0;
    st.rl4 = this.bus.ramSize - 4;
    st.tm = this.tlb.mask;
    st.tb = cost.takenBranch;
    this.#modesChanged();
  }

  /** Current privilege (0 U, 1 S, 3 M). Setting it re-derives translation modes. */
  get priv(): Privilege {
    return this.#privilege;
  }

  set priv(p: Privilege) {
    if (p !== 0 && p !== 1 && p !== 3) throw new HartError(`privilege must be 0 (U), 1 (S) or 3 (M), got ${String(p)}`);
    this.#privilege = p;
    this.nextCheck = 0;
    this.#modesChanged();
  }

  // ---------------------------------------------------------------------------------------------
  // Run loop

  /**
   * Runs until `maxInstructions` instructions have retired (traps count as steps too, so a storm
   * of traps also ends), the platform halts, the hart deadlocks in WFI, or a fault loop is seen.
   */
  run(maxSteps: number): RunResult {
    if (!(maxSteps >= 0)) throw new RangeError(`run: the step budget must be a number >= 0, got ${maxSteps}`);
    const maxInstructions = Math.floor(maxSteps);
    this.trapped = false;
    const clock = this.clock;
    const halt = this.platform.halt;
    const startRetired = this.retired;
    const startSteps = this.retired + this.#traps;
    this.#faultLoop = undefined;
    const pd = this.#pd;
    const cnt = this.#opCount;
    const ram32 = this.bus.ram32;
    const tb = this.platform.cost.takenBranch;

    for (;;) {
      if (halt.reason !== undefined) return this.#result({ kind: 'halted', halt: halt.reason }, startRetired);
      if (this.#faultLoop !== undefined) return this.#result(this.#faultLoop, startRetired);
      if (clock.cycles >= this.nextCheck) this.serviceInterrupts();
      if (this.waiting) {
        if (!this.waitForInterrupt()) return this.#result({ kind: 'deadlock', pc: this.pc >>> 0 }, startRetired);
        continue;
      }
      const left = maxInstructions - (this.retired + this.#traps - startSteps);
      if (left <= 0) return this.#result({ kind: 'budget' }, startRetired);
      if (!this.#setupFetch()) continue;

      // The instruction at pc sits at pd[i] (its immediate at pd[i + 1]); pc = bias + 2 * i.
      const bias = (this.#fVpage - (this.#fSb << 1)) | 0;
      const st = this.#fast;
      st.dm = this.#dataMode;
      st.bias = bias;
      st.i = this.#fSb + (((this.pc & 0xfff) >>> 2) << 1);
      st.n = this.#fSingle ? 1 : Math.min(left, CHUNK) | 0;
      let n0 = st.n;
      // Cycles are counted in an int32 (`sp`) on top of a base, so the loop never boxes a double.
      let base = clock.cycles;
      st.sp = 0;
      st.lim = limitFrom(this.nextCheck, base);
      st.th = 0;

      for (;;) {
        const exit = fastLoop(st);
        const i = st.i;
        if (exit === EXIT_LIMIT) {
          this.pc = (bias + (i << 1)) | 0;
          break;
        }
        if (exit === EXIT_DECODE) {
          pd[i] = this.#predecode(ram32[(this.#fPhys + ((i - this.#fSb) << 1)) >>> 2]!, i);
          continue;
        }
        if (exit === EXIT_PAGE_END) {
          this.pc = (bias + (i << 1)) | 0;
          break;
        }
        const w = pd[i]!;
        const op = w & 0x7f;
        if (exit === EXIT_JUMP) {
          const jt = st.jt;
          // A jump that leaves the page, or lands on a misaligned address (priv 3.1.15: the jump raises).
          if ((jt & 3) !== 0) {
            this.retired += n0 - st.n - 1;
            n0 = st.n + 1;
            st.n++;
            cnt[op] = cnt[op]! - 1;
            this.pc = (bias + (i << 1)) | 0;
            clock.cycles = base + st.sp - (w >>> 25) - tb;
            this.#raise(CAUSE.misalignedFetch, jt);
            this.trapped = false;
            base = clock.cycles;
            st.sp = 0;
          } else {
            this.pc = jt;
          }
          break;
        }
        // General path: memory through translation and PMP, MMIO, atomics, CSRs, system.
        this.retired += n0 - st.n - 1;
        n0 = st.n + 1;
        this.pc = (bias + (i << 1)) | 0;
        clock.cycles = base + st.sp;
        cnt[op] = cnt[op]! + 1;
        const status = this.execute(ram32[(this.#fPhys + ((i - this.#fSb) << 1)) >>> 2]!);
        base = clock.cycles;
        st.sp = 0;
        if (status === 0) {
          st.i = i + 2;
          st.lim = limitFrom(this.nextCheck, base);
          continue;
        }
        if (this.trapped) {
          this.trapped = false;
          st.n++;
          cnt[op] = cnt[op] - 1;
          st.sp = -(w >>> 25);
        }
        break;
      }
      clock.cycles = base + st.sp;
      this.retired += n0 - st.n;
      this.#tlbHits += st.th;
    }
  }

  #result(stop: StopReason, startRetired: number): RunResult {
    return { stop, instructions: this.retired - startRetired, pc: this.pc >>> 0 };
  }

  // ---------------------------------------------------------------------------------------------
  // Predecode

  #predecode(word: number, i: number): number {
    const form = decodeForm(word);
    if (form === undefined) {
      this.#pd[i + 1] = word;
      return OP_ILLEGAL;
    }
    this.#pd[i + 1] = operandImmediate(form, word);
    const rd = field.rd(word);
    return form.op | ((rd === 0 ? 32 : rd) << 7) | (field.rs1(word) << 13) | (field.rs2(word) << 19) | (this.#opCost[form.op]! << 25);
  }

  #slotFor(ramPage: number): number {
    const existing = this.#pageSlot[ramPage]!;
    if (existing >= 0) return existing;
    const s = this.#nextSlot;
    this.#nextSlot = (s + 1) % this.#slotPage.length;
    const old = this.#slotPage[s]!;
    if (old >= 0) {
      this.#pageSlot[old] = -1;
      this.#fetchCache.fill(-1);
    }
    this.#slotPage[s] = ramPage;
    const base = this.#slotArea + s * SLOT * 2;
    this.#pd.fill(0, base, base + 2048);
    this.#pd[base + 2048] = OP_PAGE_END;
    this.#pageSlot[ramPage] = base;
    this.#events['predecode.pages']++;
    return base;
  }

  /** Forgets predecoded code in [address, address+length) of physical RAM (DMA, loaders). */
  invalidateCode(address: number, length: number): void {
    const off = (address >>> 0) - this.bus.ramBase;
    if (length <= 0) return;
    const first = Math.max(0, Math.floor(off / 4096));
    const last = Math.min(this.#pageSlot.length - 1, Math.floor((off + length - 1) / 4096));
    for (let p = first; p <= last; p++) {
      const base = this.#pageSlot[p]!;
      if (base >= 0) this.#pd.fill(0, base, base + 2048);
    }
  }

  /** fence.i: drop every predecoded page. */
  flushPredecode(): void {
    for (let s = 0; s < this.#slotPage.length; s++) {
      const p = this.#slotPage[s]!;
      if (p >= 0) this.#pageSlot[p] = -1;
      this.#slotPage[s] = -1;
    }
    this.#fetchCache.fill(-1);
    this.#events['predecode.flushes']++;
  }

  /** Translates `pc` for execution and points the run loop at its predecoded page. */
  #setupFetch(): boolean {
    const pc = this.pc;
    // The fetch-page cache: pages already found uniform, as long as nothing changed. Under Sv32 the
    // modeled TLB entry must still be there (a lookup, counted as a hit), so TLB figures stay true.
    const vpn = pc >>> 12;
    const c = (vpn & 63) << 2;
    const fc = this.#fetchCache;
    if (fc[c] === vpn && (pc & 3) === 0) {
      let ok = true;
      if (this.#fetchTranslate) {
        const k = (vpn & this.tlb.mask) << 2;
        const ft = this.tlb.fastTable;
        ok = ft[k] === vpn && (ft[k + 1]! & FAST_EXEC) !== 0;
        if (ok) this.#tlbHits++;
      }
      if (ok) {
        this.#fSingle = false;
        this.#fSb = fc[c + 1]!;
        this.#fPhys = fc[c + 2]!;
        this.#fVpage = pc & ~0xfff;
        return true;
      }
    }
    if ((pc & 3) !== 0) {
      this.#raise(CAUSE.misalignedFetch, pc);
      this.trapped = false;
      return false;
    }
    const pa = this.translate(pc, ACCESS_FETCH, 4);
    if (pa < 0) {
      this.trapped = false;
      return false;
    }
    const off = pa - this.bus.ramBase;
    if (off < 0 || off + 4 > this.bus.ramSize) {
      this.#raise(CAUSE.fetchAccess, pc);
      this.trapped = false;
      return false;
    }
    const page = pa - (pa % 4096);
    // Run a whole page only when PMP (and the TLB) grant execution uniformly over it.
    let single = (this.pmp.permissions(page, 4096, this.priv) & PMP_X) === 0;
    if (this.#fetchTranslate) {
      const e = ((pc >>> 12) & this.tlb.mask) << 2;
      const ft = this.tlb.fastTable;
      if (ft[e] !== pc >>> 12 || (ft[e + 1]! & FAST_EXEC) === 0) single = true;
    }
    this.#fSingle = single;
    this.#fPhys = off - (off % 4096);
    this.#fSb = this.#slotFor(this.#fPhys / 4096);
    this.#fVpage = pc & ~0xfff;
    if (!single) {
      fc[c] = vpn;
      fc[c + 1] = this.#fSb;
      fc[c + 2] = this.#fPhys;
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // General path, shared with the emulator's translator

  /**
   * Executes one instruction `word` at `pc` through the general path: loads and stores (with
   * translation, PMP, MMIO and misaligned accesses), atomics, CSR access, fences, ecall/ebreak,
   * mret/sret, wfi, sfence.vma and illegal words. Returns 0 when execution continues at pc+4 (pc
   * is left for the caller to advance), 1 when pc or the machine's mode changed (pc is updated;
   * `trapped` tells whether a trap was taken). Plain ALU and branch forms are the caller's.
   */
  execute(word: number): 0 | 1 {
    const form = decodeForm(word);
    const r = this.regs;
    if (form === undefined) return this.#illegal(word);
    const rd = field.rd(word);
    const rs1 = field.rs1(word);
    const rs2 = field.rs2(word);
    switch (form.op) {
      case 11:
      case 12:
      case 13:
      case 14:
      case 15: {
        const size = form.op === 11 || form.op === 14 ? 1 : form.op === 13 ? 4 : 2;
        const v = this.load((r[rs1]! + imm.i(word)) | 0, size, form.op <= 13);
        if (this.trapped) return 1;
        if (rd !== 0) r[rd] = v;
        return 0;
      }
      case 16:
      case 17:
      case 18:
        this.store((r[rs1]! + imm.s(word)) | 0, form.op === 16 ? 1 : form.op === 17 ? 2 : 4, r[rs2]!);
        return this.trapped ? 1 : 0;
      case 38: // fence: a single hart with a coherent memory model needs nothing
        return 0;
      case 39: // fence.i
        this.flushPredecode();
        this.pc = (this.pc + 4) | 0;
        return 1;
      case 40: // ecall
        this.#raise(this.priv === 0 ? CAUSE.ecallU : this.priv === 1 ? CAUSE.ecallS : CAUSE.ecallM, 0);
        return 1;
      case 41: // ebreak: QEMU 7.2 leaves tval 0 (checked with qemu-system-riscv32)
        this.#raise(CAUSE.breakpoint, 0);
        return 1;
      case 42:
      case 43:
      case 44:
      case 45:
      case 46:
      case 47:
        return this.#csrInstruction(word, form.op);
      case 56:
      case 57:
      case 58:
      case 59:
      case 60:
      case 61:
      case 62:
      case 63:
      case 64:
      case 65:
      case 66: {
        const v = this.#atomic(form.op, r[rs1]!, r[rs2]!);
        if (this.trapped) return 1;
        if (rd !== 0) r[rd] = v;
        return 0;
      }
      case 67:
        return this.sret(word);
      case 68:
        return this.mret(word);
      case 69:
        return this.wfi(word);
      case 70:
        return this.sfenceVma(word, rs1 === 0 ? undefined : r[rs1]!, rs2 === 0 ? undefined : r[rs2]!);
      default:
        throw new HartError(`execute: ${form.mnemonic} is not a general-path form (at pc 0x${(this.pc >>> 0).toString(16)})`);
    }
  }

  #illegal(word: number): 1 {
    // QEMU 7.2 reports the instruction bits in tval for illegal instructions.
    this.#raise(CAUSE.illegalInstruction, word);
    return 1;
  }

  /** mret (priv 3.3.2): pop the M-mode interrupt stack. */
  mret(word = 0x30200073): 0 | 1 {
    if (this.priv !== 3) return this.#illegal(word);
    let s = this.mstatus;
    const mpp = ((s >>> 11) & 3) as Privilege;
    s = (s & MSTATUS.MPIE) !== 0 ? s | MSTATUS.MIE : s & ~MSTATUS.MIE;
    s |= MSTATUS.MPIE;
    s &= ~MSTATUS.MPP;
    if (mpp !== 3) s &= ~MSTATUS.MPRV; // priv 1.12: leaving M for a lower mode clears MPRV
    this.mstatus = s;
    this.#privilege = mpp;
    this.pc = this.mepc;
    this.clock.cycles += this.platform.cost.trapReturn;
    this.nextCheck = 0; // interrupts masked in the old mode may be taken in the new one
    this.#modesChanged();
    return 1;
  }

  /** sret (priv 3.3.2, 4.1.1): pop the S-mode interrupt stack; TSR makes it illegal in S. */
  sret(word = 0x10200073): 0 | 1 {
    if (this.priv === 0 || (this.priv === 1 && (this.mstatus & MSTATUS.TSR) !== 0)) return this.#illegal(word);
    let s = this.mstatus;
    const spp = ((s >>> 8) & 1) as Privilege;
    s = (s & MSTATUS.SPIE) !== 0 ? s | MSTATUS.SIE : s & ~MSTATUS.SIE;
    s |= MSTATUS.SPIE;
    s &= ~(MSTATUS.SPP | MSTATUS.MPRV);
    this.mstatus = s;
    this.#privilege = spp;
    this.pc = this.sepc;
    this.clock.cycles += this.platform.cost.trapReturn;
    this.nextCheck = 0;
    this.#modesChanged();
    return 1;
  }

  /**
   * wfi (priv 3.3.3), as QEMU 7.2's helper_wfi: illegal in U (S-mode exists), illegal in S when
   * TW is set; otherwise the hart retires it and sleeps until mip & mie is non-zero.
   */
  wfi(word = 0x10500073): 0 | 1 {
    if (this.priv === 0 || (this.priv === 1 && (this.mstatus & MSTATUS.TW) !== 0)) return this.#illegal(word);
    this.pc = (this.pc + 4) | 0;
    this.clock.cycles += this.platform.cost.wfi;
    this.waiting = true;
    this.#events['wfi.entries']++;
    this.nextCheck = 0;
    return 1;
  }

  /** sfence.vma (priv 4.2.1); `vaddr`/`asid` undefined mean x0 operands. Illegal in U, and in S with TVM. */
  sfenceVma(word: number, vaddr: number | undefined, asid: number | undefined): 0 | 1 {
    if (this.priv === 0 || (this.priv === 1 && (this.mstatus & MSTATUS.TVM) !== 0)) return this.#illegal(word);
    this.tlb.flush(vaddr, asid === undefined ? undefined : asid & 0x1ff);
    this.#events['tlb.flushes']++;
    this.pc = (this.pc + 4) | 0;
    return 1;
  }

  /** Flushes the whole TLB (what sfence.vma x0, x0 does). */
  flushTlb(): void {
    this.tlb.flush(undefined, undefined);
    this.#events['tlb.flushes']++;
  }

  // ---------------------------------------------------------------------------------------------
  // CSRs

  #csrInstruction(word: number, op: number): 0 | 1 {
    const csr = field.csr(word);
    const rd = field.rd(word);
    const rs1 = field.rs1(word);
    const immForm = op >= 45;
    const src = immForm ? rs1 : this.regs[rs1]!;
    const kind = (op - 42) % 3; // 0 rw, 1 rs, 2 rc
    const writes = kind === 0 || rs1 !== 0;
    let writeMask = -1;
    if (csrPrivilege(csr) > this.priv) {
      const hole = this.priv === 0 ? this.profile.userCsrHoles.find((h) => h.csr === csr) : undefined;
      if (hole === undefined || !hole.readsRealValue) return this.#illegal(word);
      writeMask = hole.writeMask;
    }
    if (writes && csrReadOnly(csr)) return this.#illegal(word);
    if (csr === CSR.satp && this.priv === 1 && (this.mstatus & MSTATUS.TVM) !== 0) return this.#illegal(word);
    if (!this.#counterAllowed(csr)) return this.#illegal(word);
    const old = this.readCsr(csr);
    if (old === undefined) return this.#illegal(word);
    if (writes) {
      let v = kind === 0 ? src : kind === 1 ? old | src : old & ~src;
      v = (old & ~writeMask) | (v & writeMask);
      this.writeCsr(csr, v);
    }
    if (rd !== 0) this.regs[rd] = old;
    if (!writes) return 0;
    this.pc = (this.pc + 4) | 0;
    this.nextCheck = 0;
    return 1;
  }

  /** cycle/time/instret and hpmcounters are gated by mcounteren and scounteren (priv 3.1.11, 4.1.5). */
  #counterAllowed(csr: number): boolean {
    if (!((csr >= 0xc00 && csr <= 0xc1f) || (csr >= 0xc80 && csr <= 0xc9f))) return true;
    const bit = 1 << (csr & 31);
    if (this.priv < 3 && (this.mcounteren & bit) === 0) return false;
    if (this.priv === 0 && (this.scounteren & bit) === 0) return false;
    return true;
  }

  #mip(): number {
    return (this.platform.interruptLevels(this.hartId) & ALL_IRQS) | this.mipSoft | this.mipInjected;
  }

  /** Reads a CSR without privilege checks (monitors, the translator); undefined when not implemented. */
  readCsr(csr: number): number | undefined {
    switch (csr) {
      case CSR.mstatus:
        return this.mstatus;
      case CSR.sstatus:
        return this.mstatus & SSTATUS_MASK;
      case CSR.misa:
        return MISA;
      case CSR.medeleg:
        return this.medeleg;
      case CSR.mideleg:
        return this.mideleg;
      case CSR.mie:
        return this.mie;
      case CSR.sie:
        return this.mie & this.mideleg;
      case CSR.mip:
        return this.#mip();
      case CSR.sip:
        return this.#mip() & this.mideleg;
      case CSR.mtvec:
        return this.mtvec;
      case CSR.stvec:
        return this.stvec;
      case CSR.mscratch:
        return this.mscratch;
      case CSR.sscratch:
        return this.sscratch;
      case CSR.mepc:
        return this.mepc;
      case CSR.sepc:
        return this.sepc;
      case CSR.mcause:
        return this.mcause;
      case CSR.scause:
        return this.scause;
      case CSR.mtval:
        return this.mtval;
      case CSR.stval:
        return this.stval;
      case CSR.mcounteren:
        return this.mcounteren;
      case CSR.scounteren:
        return this.scounteren;
      case CSR.mcountinhibit:
        return this.mcountinhibit;
      case CSR.menvcfg:
        return this.menvcfg;
      case CSR.senvcfg:
        return this.senvcfg;
      case CSR.mstatush:
      case CSR.menvcfgh:
      case CSR.mvendorid:
      case CSR.marchid:
      case CSR.mimpid:
      case CSR.mconfigptr:
        return 0;
      case CSR.mhartid:
        return this.hartId;
      case CSR.satp:
        return this.satp;
      case CSR.cycle:
      case CSR.mcycle:
        return this.#low(this.clock.cycles + this.#cycleOffset);
      case CSR.cycleh:
      case CSR.mcycleh:
        return this.#high(this.clock.cycles + this.#cycleOffset);
      case CSR.instret:
      case CSR.minstret:
        return this.#low(this.retired + this.#instretOffset);
      case CSR.instreth:
      case CSR.minstreth:
        return this.#high(this.retired + this.#instretOffset);
      case CSR.time:
        return this.#low(this.clock.mtime);
      case CSR.timeh:
        return this.#high(this.clock.mtime);
      default:
        if (csr >= CSR.pmpcfg0 && csr < CSR.pmpcfg0 + 4) return this.pmp.readCfg(csr - CSR.pmpcfg0);
        if (csr >= CSR.pmpaddr0 && csr < CSR.pmpaddr0 + 16) return this.pmp.addr[csr - CSR.pmpaddr0]! | 0;
        // hpmcounter3..31, their high halves, mhpmcounters and mhpmevents: implemented as zero.
        if ((csr & 31) >= 3 && [0xc00, 0xc80, 0xb00, 0xb80, 0x320].includes(csr & ~31)) return 0;
        return undefined;
    }
  }

  #low(v: number): number {
    return (v % 4294967296) | 0;
  }

  #high(v: number): number {
    return Math.floor(v / 4294967296) | 0;
  }

  /** Writes a CSR without privilege checks, applying its WARL rules; unknown CSRs are ignored. */
  writeCsr(csr: number, value: number): void {
    const v = value | 0;
    switch (csr) {
      case CSR.mstatus: {
        let n = (this.mstatus & ~MSTATUS_WRITABLE) | (v & MSTATUS_WRITABLE);
        if (((n >>> 11) & 3) === 2) n = (n & ~MSTATUS.MPP) | (this.mstatus & MSTATUS.MPP); // MPP is WARL: 2 is reserved
        this.mstatus = n;
        break;
      }
      case CSR.sstatus:
        this.mstatus = (this.mstatus & ~SSTATUS_WRITABLE) | (v & SSTATUS_WRITABLE);
        break;
      case CSR.medeleg:
        this.medeleg = v & DELEGABLE_EXCEPTIONS;
        break;
      case CSR.mideleg:
        this.mideleg = v & DELEGABLE_IRQS;
        break;
      case CSR.mie:
        this.mie = v & ALL_IRQS;
        break;
      case CSR.sie:
        this.mie = (this.mie & ~this.mideleg) | (v & this.mideleg);
        break;
      case CSR.mip:
        this.mipSoft = (this.mipSoft & ~MIP_WRITABLE) | (v & MIP_WRITABLE);
        break;
      case CSR.sip: {
        const m = this.mideleg & (1 << IRQ.SSI); // only SSIP is writable through sip (priv 4.1.3)
        this.mipSoft = (this.mipSoft & ~m) | (v & m);
        break;
      }
      case CSR.mtvec:
        if ((v & 3) < 2) this.mtvec = v; // QEMU 7.2 ignores reserved modes
        break;
      case CSR.stvec:
        if ((v & 3) < 2) this.stvec = v;
        break;
      case CSR.mscratch:
        this.mscratch = v;
        break;
      case CSR.sscratch:
        this.sscratch = v;
        break;
      case CSR.mepc:
        this.mepc = v & ~3; // IALIGN=32 without C
        break;
      case CSR.sepc:
        this.sepc = v & ~3;
        break;
      case CSR.mcause:
        this.mcause = v;
        break;
      case CSR.scause:
        this.scause = v;
        break;
      case CSR.mtval:
        this.mtval = v;
        break;
      case CSR.stval:
        this.stval = v;
        break;
      case CSR.mcounteren:
        this.mcounteren = v;
        break;
      case CSR.scounteren:
        this.scounteren = v;
        break;
      case CSR.mcountinhibit:
        this.mcountinhibit = v & ~2;
        break;
      case CSR.menvcfg:
        this.menvcfg = v & 1; // FIOM
        break;
      case CSR.senvcfg:
        this.senvcfg = v & 1;
        break;
      case CSR.satp:
        this.satp = v;
        break;
      case CSR.mcycle:
        this.#cycleOffset = (Math.floor((this.clock.cycles + this.#cycleOffset) / 4294967296) * 4294967296 + (v >>> 0)) - this.clock.cycles;
        break;
      case CSR.mcycleh:
        this.#cycleOffset = (v >>> 0) * 4294967296 + ((this.clock.cycles + this.#cycleOffset) % 4294967296) - this.clock.cycles;
        break;
      case CSR.minstret:
        // The write happens instead of this instruction's own increment (priv 3.1.10): hence -1.
        this.#instretOffset = (Math.floor((this.retired + this.#instretOffset) / 4294967296) * 4294967296 + (v >>> 0)) - this.retired - 1;
        break;
      case CSR.minstreth:
        this.#instretOffset = (v >>> 0) * 4294967296 + ((this.retired + this.#instretOffset) % 4294967296) - this.retired - 1;
        break;
      default:
        if (csr >= CSR.pmpcfg0 && csr < CSR.pmpcfg0 + 4) this.pmp.writeCfg(csr - CSR.pmpcfg0, v);
        else if (csr >= CSR.pmpaddr0 && csr < CSR.pmpaddr0 + 16) this.pmp.writeAddr(csr - CSR.pmpaddr0, v);
        else return;
        this.#pmpChanged();
        return;
    }
    this.#modesChanged();
  }

  #pmpChanged(): void {
    const t = this.tlb;
    for (let e = 0; e < t.size; e++) if (t.vpn[e]! >= 0) t.pmp[e] = this.pmp.permissions(t.physical[e]!, 4096, 1);
    this.#modesChanged();
  }

  // ---------------------------------------------------------------------------------------------
  // Traps and interrupts

  #raise(code: number, tval: number): void {
    this.trapped = true;
    this.takeTrap(code, false, tval);
  }

  /**
   * Trap entry (priv 3.1.6.1, 3.1.8, 4.1.1) from `pc`: delegated traps from S or U go to S; the
   * rest go to M, where a monitor sees them first.
   */
  takeTrap(code: number, interrupt: boolean, tval: number): void {
    const epc = this.pc;
    const from = this.priv;
    this.#traps++;
    (interrupt ? this.#irqCounts : this.#trapCounts)[code & 15]!++;
    this.#reservation = -1;
    this.waiting = false;
    this.nextCheck = 0;
    const cause = interrupt ? (code | 0x80000000) | 0 : code;
    const deleg = interrupt ? this.mideleg : this.medeleg;
    let target: number;
    if (from <= 1 && ((deleg >>> code) & 1) !== 0) {
      this.scause = cause;
      this.sepc = epc;
      this.stval = tval | 0;
      let s = this.mstatus;
      s = (s & MSTATUS.SIE) !== 0 ? s | MSTATUS.SPIE : s & ~MSTATUS.SPIE;
      s &= ~MSTATUS.SIE;
      s = from === 1 ? s | MSTATUS.SPP : s & ~MSTATUS.SPP;
      this.mstatus = s;
      this.#privilege = 1;
      target = this.stvec;
    } else {
      if (this.monitor !== undefined) {
        this.#events['monitor.traps']++;
        const verdict = this.monitor.onTrap(this, { code, interrupt, cause, tval: tval | 0, epc, from });
        if (verdict === 'handled') {
          this.#events['monitor.handled']++;
          this.#modesChanged();
          return;
        }
      }
      this.mcause = cause;
      this.mepc = epc;
      this.mtval = tval | 0;
      let s = this.mstatus;
      s = (s & MSTATUS.MIE) !== 0 ? s | MSTATUS.MPIE : s & ~MSTATUS.MPIE;
      s &= ~MSTATUS.MIE;
      s = (s & ~MSTATUS.MPP) | (from << 11);
      this.mstatus = s;
      this.#privilege = 3;
      target = this.mtvec;
    }
    const base = target & ~3;
    this.pc = ((target & 3) === 1 && interrupt ? base + 4 * code : base) | 0;
    this.clock.cycles += this.platform.cost.trapEntry;
    if (!interrupt && epc === this.#lastVector && code === this.#lastCause) {
      if (++this.#loopCount >= 3) {
        this.#faultLoop = {
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
    this.#lastVector = this.pc;
    this.#lastCause = interrupt ? -1 : code;
    this.#modesChanged();
  }

  /** Takes the highest-priority enabled pending interrupt, if any (priv 3.1.9), and sets `nextCheck`. */
  serviceInterrupts(): void {
    const next = this.platform.nextEventCycle(this.hartId);
    // Lines were just read: an event time already passed changes nothing more.
    this.nextCheck = next > this.clock.cycles ? next : Infinity;
    const pending = this.#mip() & this.mie;
    if (pending === 0) return;
    const mEnabled = this.priv < 3 || (this.mstatus & MSTATUS.MIE) !== 0;
    const sEnabled = this.priv < 1 || (this.priv === 1 && (this.mstatus & MSTATUS.SIE) !== 0);
    const m = mEnabled ? pending & ~this.mideleg : 0;
    const s = sEnabled ? pending & this.mideleg : 0;
    const take = m !== 0 ? m : s;
    if (take === 0) return;
    for (const irq of IRQ_PRIORITY) {
      if ((take & (1 << irq)) !== 0) {
        this.takeTrap(irq, true, 0);
        return;
      }
    }
  }

  /** One step of WFI: wake on mip & mie, else let time pass to the next event (counted in wfi.cycles). False = deadlock. */
  waitForInterrupt(): boolean {
    if ((this.#mip() & this.mie) !== 0) {
      this.waiting = false;
      return true;
    }
    const next = this.platform.nextEventCycle(this.hartId);
    if (!(next > this.clock.cycles) || next === Infinity) return false;
    this.#events['wfi.cycles'] += next - this.clock.cycles;
    this.clock.cycles = next;
    this.nextCheck = 0;
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Memory: translation, PMP, RAM and MMIO

  // ---------------------------------------------------------------------------------------------
  // For run loops outside this class (the emulator's translator)

  /**
   * Called with the RAM offset and size of every write the general path makes to RAM (slow-path
   * stores, AMOs/SC, A/D updates by the walker), so that a translator can drop code written there.
   * The interpreter's own fast-path stores do not call it.
   */
  onCodeWrite: ((ramOffset: number, size: number) => void) | undefined = undefined;

  /** Executions per handler id (flushed totals). ALU entries are ignored by `counters()`: class.alu = instret - the rest. */
  get opCounts(): Float64Array {
    return this.#opCount;
  }

  /** TLB hits so far; an external fast path adds its own. */
  get tlbHits(): number {
    return this.#tlbHits;
  }

  set tlbHits(v: number) {
    this.#tlbHits = v;
  }

  /** Traps taken (exceptions and interrupts): the run budget counts them as steps. */
  get trapCount(): number {
    return this.#traps;
  }

  /** Set by trap entry when the handler faults again and again; an external run loop reads and clears it. */
  get faultLoop(): StopReason | undefined {
    return this.#faultLoop;
  }

  set faultLoop(v: StopReason | undefined) {
    this.#faultLoop = v;
  }

  /** Re-derives translation and fast-path modes after privilege, mstatus, satp or PMP changed. */
  refreshModes(): void {
    this.#modesChanged();
  }

  #modesChanged(): void {
    this.#fetchCache.fill(-1);
    const s = this.mstatus;
    this.#effPriv = this.priv === 3 && (s & MSTATUS.MPRV) !== 0 ? (((s >>> 11) & 3) as Privilege) : this.priv;
    const sv32 = this.satp >>> 31 === 1;
    this.#dataTranslate = sv32 && this.#effPriv < 3;
    this.#fetchTranslate = sv32 && this.priv < 3;
    this.#asid = (this.satp >>> 22) & 0x1ff;
    if (this.#dataTranslate) this.#dataMode = 1;
    else this.#dataMode = (this.pmp.permissions(this.bus.ramBase, this.bus.ramSize, this.#effPriv) & 3) === 3 ? 0 : 2;
    const t = this.tlb;
    for (let e = 0; e < t.size; e++) this.#refreshEntry(e);
  }

  #refreshEntry(e: number): void {
    const t = this.tlb;
    const ft = t.fastTable;
    const k = e << 2;
    const vpn = t.vpn[e]!;
    if (vpn < 0 || (t.global[e] === 0 && t.asid[e] !== this.#asid)) {
      ft[k] = -1;
      ft[k + 1] = 0;
      return;
    }
    ft[k] = vpn;
    const off = t.physical[e]! - this.bus.ramBase;
    let fast = 0;
    if (off >= 0 && off + 4096 <= this.bus.ramSize) {
      ft[k + 2] = off;
      const f = t.flags[e]!;
      const p = t.pmp[e]!;
      if (this.#dataTranslate) {
        if ((p & PMP_R) !== 0 && this.#ptePermits(f, ACCESS_LOAD, this.#effPriv)) fast |= FAST_READ;
        if ((p & PMP_W) !== 0 && (f & PTE_D) !== 0 && this.#ptePermits(f, ACCESS_STORE, this.#effPriv)) fast |= FAST_WRITE;
      }
      if (this.#fetchTranslate && (p & PMP_X) !== 0 && this.#ptePermits(f, ACCESS_FETCH, this.priv)) fast |= FAST_EXEC;
    }
    ft[k + 1] = fast;
  }

  /** Leaf permission checks in QEMU 7.2's order (priv 4.3.1, 4.3.2 step 5). */
  #ptePermits(f: number, access: AccessKind, priv: number): boolean {
    return ptePermits(f, access, priv, this.mstatus);
  }

  #pageFault(access: AccessKind, va: number): number {
    this.#raise(pageFaultCause(access), va);
    return -1;
  }

  #accessFault(access: AccessKind, va: number): number {
    this.#raise(accessFaultCause(access), va);
    return -1;
  }

  /**
   * Translates `va` for an access of `size` bytes (within one page) by the privilege that makes
   * it, and checks PMP. Returns the physical address, or -1 after taking the trap.
   */
  translate(va: number, access: AccessKind, size: number, tval: number = va): number {
    const priv = access === ACCESS_FETCH ? this.priv : this.#effPriv;
    let pa: number;
    if (priv === 3 || this.satp >>> 31 === 0) {
      pa = va >>> 0;
    } else {
      const t = this.tlb;
      const vpn = va >>> 12;
      let e = vpn & t.mask;
      if (
        t.vpn[e] === vpn && (t.global[e] === 1 || t.asid[e] === this.#asid) &&
        (access !== ACCESS_STORE || (t.flags[e]! & PTE_D) !== 0) && this.#ptePermits(t.flags[e]!, access, priv)
      ) {
        this.#tlbHits++;
      } else {
        // QEMU walks again whenever the cached entry does not allow the access.
        this.#events['tlb.misses']++;
        e = this.#walk(va, access, priv, e, tval);
        if (e < 0) return -1;
      }
      pa = t.physical[e]! + (va & 0xfff);
    }
    const bit = access === ACCESS_LOAD ? PMP_R : access === ACCESS_STORE ? PMP_W : PMP_X;
    if ((this.pmp.permissions(pa, size, priv) & bit) === 0) return this.#accessFault(access, tval);
    return pa;
  }

  /** The Sv32 walk (priv 4.3.2), with A/D updated in memory as QEMU 7.2 does. Fills TLB entry `e`. */
  #walk(va: number, access: AccessKind, priv: number, e: number, tval: number): number {
    const bus = this.bus;
    let a = (this.satp & 0x3fffff) * 4096;
    let level = 1;
    let global = 0;
    for (;;) {
      const pteAddr = a + (level === 1 ? va >>> 22 : (va >>> 12) & 0x3ff) * 4;
      this.clock.cycles += this.platform.cost.tlbMissPerLevel;
      this.#events['tlb.walk_levels']++;
      if ((this.pmp.permissions(pteAddr, 4, 1) & PMP_R) === 0) return this.#accessFault(access, tval);
      const off = pteAddr - bus.ramBase;
      // QEMU 7.2: a PTE that cannot be read (not RAM) is a page fault.
      if (off < 0 || off + 4 > bus.ramSize) return this.#pageFault(access, tval);
      const pte = bus.ram32[off >>> 2]!;
      if ((pte & PTE_V) === 0 || ((pte & PTE_R) === 0 && (pte & PTE_W) !== 0)) return this.#pageFault(access, tval);
      global |= pte & PTE_G;
      if ((pte & (PTE_R | PTE_X)) === 0) {
        if (level === 0) return this.#pageFault(access, tval);
        a = (pte >>> 10) * 4096;
        level = 0;
        continue;
      }
      if (!this.#ptePermits(pte, access, priv)) return this.#pageFault(access, tval);
      if (level === 1 && ((pte >>> 10) & 0x3ff) !== 0) return this.#pageFault(access, tval); // misaligned superpage
      const updated = pte | PTE_A | (access === ACCESS_STORE ? PTE_D : 0);
      if (updated !== pte) {
        bus.ram32[off >>> 2] = updated;
        this.#codeWritten(off, 4);
      }
      const t = this.tlb;
      t.vpn[e] = va >>> 12;
      t.asid[e] = this.#asid;
      t.global[e] = global !== 0 ? 1 : 0;
      t.flags[e] = updated & 0xff;
      t.superpage[e] = level;
      const page = level === 1 ? (pte >>> 20) * 4194304 + (va & 0x3ff000) : (pte >>> 10) * 4096;
      t.physical[e] = page;
      t.pmp[e] = this.pmp.permissions(page, 4096, 1);
      this.#refreshEntry(e);
      return e;
    }
  }

  #codeWritten(off: number, size: number): void {
    if (this.onCodeWrite !== undefined) this.onCodeWrite(off, size);
    const ps = this.#pageSlot[off >>> 12]!;
    if (ps < 0) return;
    this.#pd[ps + (((off & 0xfff) >>> 2) << 1)] = 0;
    const last = off + size - 1;
    if (last >>> 2 !== off >>> 2) {
      const ps2 = this.#pageSlot[last >>> 12]!;
      if (ps2 >= 0) this.#pd[ps2 + (((last & 0xfff) >>> 2) << 1)] = 0;
    }
  }

  #readPhys(pa: number, size: 1 | 2 | 4, access: AccessKind, tval: number): number {
    const bus = this.bus;
    const off = pa - bus.ramBase;
    if (off >= 0 && off + size <= bus.ramSize) {
      const r = bus.ram;
      if (size === 1) return r[off]!;
      if (size === 2) return r[off]! | (r[off + 1]! << 8);
      return r[off]! | (r[off + 1]! << 8) | (r[off + 2]! << 16) | (r[off + 3]! << 24);
    }
    return this.#mmio(pa, size, access, tval, 0);
  }

  #writePhys(pa: number, size: 1 | 2 | 4, value: number, tval: number): void {
    const bus = this.bus;
    const off = pa - bus.ramBase;
    if (off >= 0 && off + size <= bus.ramSize) {
      const r = bus.ram;
      r[off] = value;
      if (size >= 2) r[off + 1] = value >>> 8;
      if (size === 4) {
        r[off + 2] = value >>> 16;
        r[off + 3] = value >>> 24;
      }
      this.#codeWritten(off, size);
      return;
    }
    this.#mmio(pa, size, ACCESS_STORE, tval, value);
  }

  #mmio(pa: number, size: 1 | 2 | 4, access: AccessKind, tval: number, value: number): number {
    if (pa >= 4294967296) return this.#accessFault(access, tval);
    this.#events['mmio.accesses']++;
    this.clock.cycles += this.platform.cost.mmioAccess;
    // A device register access can raise or lower a line: look at interrupts again.
    this.nextCheck = 0;
    try {
      if (access === ACCESS_STORE) {
        this.bus.write(pa, value, size);
        return 0;
      }
      return this.bus.read(pa, size) | 0;
    } catch (err) {
      if (err instanceof BusError) return this.#accessFault(access, tval);
      throw err;
    }
  }

  /**
   * A load of `size` bytes at virtual `va`, as the current (effective) privilege makes it.
   * Misaligned loads are carried out, as QEMU 7.2 does for regular loads. On a fault the trap is
   * taken and `trapped` is set.
   */
  load(va: number, size: 1 | 2 | 4, signed: boolean): number {
    let v: number;
    if ((va & (size - 1)) === 0) {
      const pa = this.translate(va, ACCESS_LOAD, size);
      if (pa < 0) return 0;
      v = this.#readPhys(pa, size, ACCESS_LOAD, va);
    } else {
      const pas = this.#misalignedPages(va, size, ACCESS_LOAD);
      if (pas === undefined) return 0;
      v = 0;
      for (let k = 0; k < size; k++) {
        v |= this.#readPhys(pas[k]!, 1, ACCESS_LOAD, va) << (8 * k);
        if (this.trapped) return 0;
      }
    }
    if (this.trapped) return 0;
    if (size === 4) return v | 0;
    const sh = 32 - 8 * size;
    return signed ? (v << sh) >> sh : (v << sh) >>> sh;
  }

  /** A store of the low `size` bytes of `value` at virtual `va` (see `load`). */
  store(va: number, size: 1 | 2 | 4, value: number): void {
    if ((va & (size - 1)) === 0) {
      const pa = this.translate(va, ACCESS_STORE, size);
      if (pa < 0) return;
      this.#writePhys(pa, size, value, va);
      return;
    }
    const pas = this.#misalignedPages(va, size, ACCESS_STORE);
    if (pas === undefined) return;
    for (let k = 0; k < size; k++) {
      this.#writePhys(pas[k]!, 1, value >>> (8 * k), va);
      if (this.trapped) return;
    }
  }

  /**
   * Physical addresses of each byte of a misaligned access, both pages translated before any
   * byte moves. Fault addresses follow QEMU 7.2's split: the first page reports the address
   * rounded down to the access size, the second page its first byte.
   */
  #misalignedPages(va: number, size: number, access: AccessKind): number[] | undefined {
    const first = 4096 - (va & 0xfff);
    if (size <= first) {
      const pa = this.translate(va, access, size);
      if (pa < 0) return undefined;
      return Array.from({ length: size }, (_, k) => pa + k);
    }
    const pa1 = this.translate(va, access, first, va & ~(size - 1));
    if (pa1 < 0) return undefined;
    const va2 = (va + first) | 0;
    const pa2 = this.translate(va2, access, size - first);
    if (pa2 < 0) return undefined;
    return Array.from({ length: size }, (_, k) => (k < first ? pa1 + k : pa2 + k - first));
  }

  /** LR/SC and AMOs (unpriv chapter 8) as QEMU 7.2: SC compares the reserved address and value. */
  #atomic(op: number, va: number, src: number): number {
    if (op === 57) {
      // sc.w: a different address fails without any access (not even an alignment check).
      if (va !== this.#reservation) {
        this.#reservation = -1;
        this.#events['lrsc.sc_failures']++;
        return 1;
      }
      this.#reservation = -1;
      const pa = this.translate(va, ACCESS_STORE, 4);
      if (pa < 0) return 0;
      const cur = this.#readPhys(pa, 4, ACCESS_STORE, va);
      if (this.trapped) return 0;
      if (cur !== this.#reservationValue) {
        this.#events['lrsc.sc_failures']++;
        return 1;
      }
      this.#writePhys(pa, 4, src, va);
      return this.trapped ? 0 : 0;
    }
    if ((va & 3) !== 0) {
      this.#raise(op === 56 ? CAUSE.misalignedLoad : CAUSE.misalignedStore, va);
      return 0;
    }
    if (op === 56) {
      const pa = this.translate(va, ACCESS_LOAD, 4);
      if (pa < 0) return 0;
      const v = this.#readPhys(pa, 4, ACCESS_LOAD, va);
      if (this.trapped) return 0;
      this.#reservation = va;
      this.#reservationValue = v;
      return v;
    }
    const pa = this.translate(va, ACCESS_STORE, 4);
    if (pa < 0) return 0;
    const old = this.#readPhys(pa, 4, ACCESS_STORE, va);
    if (this.trapped) return 0;
    let v: number;
    switch (op) {
      case 58:
        v = src;
        break;
      case 59:
        v = (old + src) | 0;
        break;
      case 60:
        v = old ^ src;
        break;
      case 61:
        v = old & src;
        break;
      case 62:
        v = old | src;
        break;
      case 63:
        v = old < src ? old : src;
        break;
      case 64:
        v = old > src ? old : src;
        break;
      case 65:
        v = old >>> 0 < src >>> 0 ? old : src;
        break;
      default:
        v = old >>> 0 > src >>> 0 ? old : src;
        break;
    }
    this.#writePhys(pa, 4, v, va);
    return old;
  }

  // ---------------------------------------------------------------------------------------------
  // Reporting

  /** Counters as a flat record of named integers; the names are stable. */
  counters(): Record<string, number> {
    const out: Record<string, number> = { instret: this.retired, cycles: this.clock.cycles };
    const byClass = new Map<InstructionClass, number>(INSTRUCTION_CLASSES.map((c) => [c, 0]));
    let others = 0;
    for (let op = 1; op < OP_COUNT; op++) {
      const f = FORM_BY_OP[op];
      if (f === undefined || f.cls === 'alu') continue;
      byClass.set(f.cls, byClass.get(f.cls)! + this.#opCount[op]!);
      others += this.#opCount[op]!;
    }
    // The run loop does not count ALU forms one by one (the commonest): they are the rest.
    byClass.set('alu', this.retired - others);
    for (const [c, v] of byClass) out[`class.${c}`] = v;
    let traps = 0;
    for (const [code, name] of Object.entries(EXCEPTION_NAMES)) {
      out[`trap.${name}`] = this.#trapCounts[Number(code)]!;
      traps += this.#trapCounts[Number(code)]!;
    }
    let irqs = 0;
    for (const [code, name] of Object.entries(INTERRUPT_NAMES)) {
      out[`irq.${name}`] = this.#irqCounts[Number(code)]!;
      irqs += this.#irqCounts[Number(code)]!;
    }
    out['trap.total'] = traps;
    out['irq.total'] = irqs;
    out['tlb.hits'] = this.#tlbHits;
    for (const n of EVENT_NAMES) out[n] = this.#events[n];
    return out;
  }

  /** `pc` and the instruction there, disassembled, for traces and error messages. */
  describe(pc: number = this.pc): string {
    const off = (pc >>> 0) - this.bus.ramBase;
    const word = off >= 0 && off + 4 <= this.bus.ramSize ? this.bus.ram32[off >>> 2]! : undefined;
    const at = `0x${(pc >>> 0).toString(16).padStart(8, '0')}`;
    return word === undefined ? `${at}: (no RAM)` : `${at}: ${disassemble(word, pc)}`;
  }

  /** Back to the reset state (priv 3.4): M-mode, pc at the reset vector, CSRs cleared. */
  reset(pc: number = this.bus.ramBase): void {
    this.regs.fill(0);
    this.pc = pc | 0;
    this.#privilege = 3;
    this.mstatus = this.medeleg = this.mideleg = this.mie = this.mipSoft = this.mipInjected = 0;
    this.mtvec = this.mscratch = this.mepc = this.mcause = this.mtval = this.mcounteren = this.mcountinhibit = 0;
    this.menvcfg = this.stvec = this.sscratch = this.sepc = this.scause = this.stval = this.scounteren = 0;
    this.senvcfg = this.satp = 0;
    this.#reservation = -1;
    this.#cycleOffset = 0;
    this.#instretOffset = 0;
    this.waiting = false;
    this.trapped = false;
    this.nextCheck = 0;
    this.pmp.reset();
    this.tlb.flush(undefined, undefined);
    this.flushPredecode();
    this.#modesChanged();
  }
}

/**
 * What a TypeScript monitor (hypervisor, firmware) uses to look at and change the hart. Every
 * call is counted under `monitor.*`.
 */
export class MonitorPort {
  readonly #hart: Hart;
  readonly #ev: Record<HartEventName, number>;

  constructor(hart: Hart, events: Record<HartEventName, number>) {
    this.#hart = hart;
    this.#ev = events;
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

  flushTlb(vaddr?: number, asid?: number): void {
    this.#ev['monitor.tlb_flushes']++;
    this.#hart.tlb.flush(vaddr, asid);
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
}

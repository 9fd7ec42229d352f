/**
 * The interpreter's hot loop (hart.ts runs it): plain RV32IM forms, RAM loads and stores on the
 * fast path, and branches within a page, over one typed array that holds the registers, the TLB's
 * fast table and the predecoded pages. Everything else leaves the loop for the hart's general path.
 */
import { mulhu } from './mulhu.js';
import { FAST_READ, FAST_WRITE } from './tlb.js';

// One typed array holds, in order: the registers (64 ints), the TLB's fast table, the predecoded pages.
const REGS_AREA = 64;
/** Where the TLB's fast table starts in the run-loop array. */
export const TLB_AREA = REGS_AREA;
const INT_MIN = -0x80000000;

/** Why `fastLoop` returned. */
export const EXIT_LIMIT = 0;
export const EXIT_DECODE = 1;
export const EXIT_PAGE_END = 2;
export const EXIT_JUMP = 3;
export const EXIT_SLOW = 4;

/** What the fast loop works on; one object per hart, filled by `run` before each entry. */
export class FastState {
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
export function fastLoop(st: FastState): number {
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
        if (o >= 0) {
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
        if (o >= 0) {
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
        if (o >= 0) {
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

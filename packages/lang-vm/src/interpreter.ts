import { Op, SAT_BASE } from './code.js';
import { Trap, trapOfTierError } from './errors.js';
import type { Machine } from './machine.js';
import {
  R,
  ctz32,
  i32DivS,
  i32DivU,
  i32RemS,
  i32RemU,
  i64Clz,
  i64Ctz,
  i64DivS,
  i64DivU,
  i64Mul,
  i64RemS,
  i64RemU,
  i64Rotl,
  i64Rotr,
  i64Shl,
  i64ShrS,
  i64ShrU,
  i64ToF32S,
  i64ToF32U,
  i64ToF64S,
  i64ToF64U,
  nearest,
  popcnt32,
  truncI32S,
  truncI32U,
  truncI64S,
  truncI64U,
  truncSatI32S,
  truncSatI32U,
  truncSatI64S,
  truncSatI64U,
} from './numeric.js';
import { memoryCopy, memoryFill, memoryInit, tableCopy, tableFill, tableGet, tableGrow, tableInit, tableSet } from './bulk.js';
import type { FuncInstance, Table } from './runtime.js';
import { FUEL_PER_PAGE, PAGE } from './runtime.js';

const oobMemory = () => new Trap('out of bounds memory access');

/**
 * Runs the machine from (`cur`, `pc`, `fp`) until the frame at `baseFsp` returns (0) or fuel runs
 * out at a function entry or loop header (1, state saved in `m.suspended`). One switch over the
 * internal code (code.ts); operands are frame-relative word offsets, so there is no stack pointer.
 */
export function run(m: Machine, cur: number, pc: number, fp: number, baseFsp: number): number {
  const code = m.code;
  const I = m.I;
  const F64 = m.F64;
  const frames = m.frames;
  const fEntry = m.fEntry;
  const fFrame = m.fFrame;
  const fLocalWords = m.fLocalWords;
  const fParamWords = m.fParamWords;
  const globals = m.globals;
  const stackWords = m.stackWords;
  const maxDepth = m.maxDepth;
  const tier = m.tier;
  const tierEntries = tier?.entries ?? [];
  let fsp = m.fsp;
  let depth = m.depth;
  let fuel = m.fuel;
  /** Whether compiled code called from this loop is running (its fuel is the tier's, not `fuel`). */
  let inTier = false;
  let mem = m.memory;
  let U8 = mem.u8;
  let DV = mem.dv;
  let memSize = U8.length;
  let t = 0;
  let a = 0;
  let b = 0;

  try {
    for (;;) {
      switch (code[pc]) {
        case Op.FUEL:
          fuel -= code[pc + 1] as number;
          pc += 3;
          break;
        case Op.FUEL_CHECK:
          if (fuel <= 0) {
            m.fuel = fuel;
            m.fsp = fsp;
            m.depth = depth;
            m.suspended = { pc, fp, cur, fsp, depth, funcIndex: -1 };
            return 1;
          }
          fuel -= code[pc + 1] as number;
          pc += 3;
          break;
        case Op.UNREACHABLE:
          throw new Trap('unreachable');
        case Op.JMP:
          pc = code[pc + 1] as number;
          break;
        case Op.BR:
          I.copyWithin(fp + (code[pc + 3] as number), fp + (code[pc + 2] as number), fp + (code[pc + 2] as number) + (code[pc + 4] as number));
          pc = code[pc + 1] as number;
          break;
        case Op.BR_IF:
          if (I[fp + (code[pc + 1] as number)] !== 0) pc = code[pc + 2] as number;
          else pc += 3;
          break;
        case Op.BR_IF_MOVE:
          if (I[fp + (code[pc + 1] as number)] !== 0) {
            I.copyWithin(fp + (code[pc + 4] as number), fp + (code[pc + 3] as number), fp + (code[pc + 3] as number) + (code[pc + 5] as number));
            pc = code[pc + 2] as number;
          } else pc += 6;
          break;
        case Op.BR_TABLE: {
          const n = code[pc + 2] as number;
          let k = I[fp + (code[pc + 1] as number)] as number;
          if (k >>> 0 >= n) k = n;
          const e = pc + 3 + k * 4;
          const nw = code[e + 3] as number;
          if (nw !== 0) I.copyWithin(fp + (code[e + 2] as number), fp + (code[e + 1] as number), fp + (code[e + 1] as number) + nw);
          pc = code[e] as number;
          break;
        }
        case Op.IF:
          if (I[fp + (code[pc + 1] as number)] === 0) pc = code[pc + 2] as number;
          else pc += 3;
          break;
        case Op.RETURN: {
          const nw = code[pc + 2] as number;
          if (nw !== 0) I.copyWithin(fp, fp + (code[pc + 1] as number), fp + (code[pc + 1] as number) + nw);
          if (fsp === baseFsp) {
            m.fuel = fuel;
            return 0;
          }
          depth--;
          cur = frames[--fsp] as number;
          fp = frames[--fsp] as number;
          pc = frames[--fsp] as number;
          break;
        }
        case Op.CALL:
        case Op.CALL_INDIRECT: {
          let fi: number;
          let argOff: number;
          let next: number;
          if (code[pc] === Op.CALL) {
            fi = code[pc + 1] as number;
            argOff = code[pc + 2] as number;
            next = pc + 4;
          } else {
            const table = (m.tables[code[pc + 2] as number] as Table).fns;
            const idx = (I[fp + (code[pc + 3] as number)] as number) >>> 0;
            if (idx >= table.length) throw new Trap('undefined element', `table index ${idx} >= table size ${table.length}`);
            const target = table[idx];
            if (target === undefined) throw new Trap('uninitialized element', `table index ${idx}`);
            if (target.typeId !== (m.typeIdOfType[code[pc + 1] as number] as number)) throw new Trap('indirect call type mismatch', `table index ${idx}`);
            argOff = code[pc + 4] as number;
            next = pc + 6;
            if (target.owner !== m) {
              m.fsp = fsp;
              m.depth = depth;
              m.fuel = fuel;
              m.stackTop = fp + (fFrame[cur] as number);
              m.callOut(target, fp + argOff);
              fuel = m.fuel;
              mem = m.memory;
              U8 = mem.u8;
              DV = mem.dv;
              memSize = U8.length;
              pc = next;
              break;
            }
            fi = target.index;
          }
          const entry = fEntry[fi] as number;
          if (entry < 0) {
            m.fsp = fsp;
              m.depth = depth;
              m.fuel = fuel;
              m.stackTop = fp + (fFrame[cur] as number);
            m.callOut(m.funcs[fi] as FuncInstance, fp + argOff);
            fuel = m.fuel;
              mem = m.memory;
              U8 = mem.u8;
              DV = mem.dv;
              memSize = U8.length;
            pc = next;
            break;
          }
          const nfp = fp + argOff;
          if (depth >= maxDepth || nfp + (fFrame[fi] as number) > stackWords) throw new Trap('call stack exhausted');
          const te = tierEntries[fi];
          if (te !== undefined && tier !== undefined) {
            // A compiled function: run it on the JavaScript tier with its frame at nfp.
            m.fsp = fsp;
            m.depth = depth;
            m.stackTop = nfp + (fFrame[fi] as number);
            tier.enter(fuel, depth);
            inTier = true;
            te(nfp);
            inTier = false;
            fuel = tier.fuel();
            if (tier.suspending()) {
              frames[fsp++] = next;
              frames[fsp++] = fp;
              frames[fsp++] = cur;
              m.adoptDeopt(nfp, fsp, depth + 1);
              m.fuel = fuel;
              return 1;
            }
            mem = m.memory;
            U8 = mem.u8;
            DV = mem.dv;
            memSize = U8.length;
            pc = next;
            break;
          }
          depth++;
          frames[fsp++] = next;
          frames[fsp++] = fp;
          frames[fsp++] = cur;
          fp = nfp;
          cur = fi;
          I.fill(0, fp + (fParamWords[fi] as number), fp + (fLocalWords[fi] as number));
          pc = entry;
          break;
        }
        case Op.RETURN_CALL:
        case Op.RETURN_CALL_INDIRECT: {
          // A tail call (3.0): the callee takes over this frame, so neither depth nor the frame stack grows.
          let target: FuncInstance;
          let argOff: number;
          if (code[pc] === Op.RETURN_CALL) {
            target = m.funcs[code[pc + 1] as number] as FuncInstance;
            argOff = code[pc + 2] as number;
          } else {
            const table = (m.tables[code[pc + 2] as number] as Table).fns;
            const idx = (I[fp + (code[pc + 3] as number)] as number) >>> 0;
            if (idx >= table.length) throw new Trap('undefined element', `table index ${idx} >= table size ${table.length}`);
            const found = table[idx];
            if (found === undefined) throw new Trap('uninitialized element', `table index ${idx}`);
            target = found;
            if (target.typeId !== (m.typeIdOfType[code[pc + 1] as number] as number)) throw new Trap('indirect call type mismatch', `table index ${idx}`);
            argOff = code[pc + 4] as number;
          }
          const fi = target.owner === m ? target.index : -1;
          const nres = target.type.results.length * 2;
          const entry = fi >= 0 ? (fEntry[fi] as number) : -1;
          if (entry < 0) {
            // A host function or another instance's: call it, then return its results.
            m.fsp = fsp;
            m.depth = depth;
            m.fuel = fuel;
            m.stackTop = fp + (fFrame[cur] as number);
            m.callOut(target, fp + argOff);
            fuel = m.fuel;
            mem = m.memory;
            U8 = mem.u8;
            DV = mem.dv;
            memSize = U8.length;
            if (nres !== 0) I.copyWithin(fp, fp + argOff, fp + argOff + nres);
          } else {
            if (fp + (fFrame[fi] as number) > stackWords) throw new Trap('call stack exhausted');
            const np = fParamWords[fi] as number;
            if (np !== 0) I.copyWithin(fp, fp + argOff, fp + argOff + np);
            const te = tierEntries[fi];
            if (te === undefined || tier === undefined) {
              cur = fi;
              I.fill(0, fp + np, fp + (fLocalWords[fi] as number));
              pc = entry;
              break;
            }
            // A compiled callee: run it in this frame's place (its depth is this frame's).
            m.fsp = fsp;
            m.depth = depth - 1;
            m.stackTop = fp + (fFrame[fi] as number);
            tier.enter(fuel, depth - 1);
            inTier = true;
            te(fp);
            inTier = false;
            fuel = tier.fuel();
            if (tier.suspending()) {
              m.adoptDeopt(fp, fsp, depth);
              m.fuel = fuel;
              return 1;
            }
            mem = m.memory;
            U8 = mem.u8;
            DV = mem.dv;
            memSize = U8.length;
          }
          // Return the results, now at the frame base.
          if (fsp === baseFsp) {
            m.fuel = fuel;
            return 0;
          }
          depth--;
          cur = frames[--fsp] as number;
          fp = frames[--fsp] as number;
          pc = frames[--fsp] as number;
          break;
        }
        case Op.MOV:
          t = fp + (code[pc + 1] as number);
          a = fp + (code[pc + 2] as number);
          I[t] = I[a] as number;
          I[t + 1] = I[a + 1] as number;
          pc += 4;
          break;
        case Op.CONST32:
          I[fp + (code[pc + 1] as number)] = code[pc + 2] as number;
          pc += 3;
          break;
        case Op.CONST64:
          t = fp + (code[pc + 1] as number);
          I[t] = code[pc + 2] as number;
          I[t + 1] = code[pc + 3] as number;
          pc += 5;
          break;
        case Op.SELECT:
          t = fp + (code[pc + 1] as number);
          if (I[t + 4] === 0) {
            I[t] = I[t + 2] as number;
            I[t + 1] = I[t + 3] as number;
          }
          pc += 3;
          break;
        case Op.GLOBAL_GET: {
          const g = globals[code[pc + 2] as number] as Int32Array;
          t = fp + (code[pc + 1] as number);
          I[t] = g[0] as number;
          I[t + 1] = g[1] as number;
          pc += 4;
          break;
        }
        case Op.GLOBAL_SET: {
          const g = globals[code[pc + 2] as number] as Int32Array;
          t = fp + (code[pc + 1] as number);
          g[0] = I[t] as number;
          g[1] = I[t + 1] as number;
          pc += 4;
          break;
        }
        // --- memory (spec 4.4.7): effective address = unsigned base + offset, bounds-checked ---
        case 0x28:
          t = fp + (code[pc + 1] as number);
          a = ((I[t] as number) >>> 0) + ((code[pc + 2] as number) >>> 0);
          if (a + 4 > memSize) throw oobMemory();
          I[t] = DV.getInt32(a, true);
          pc += 3;
          break;
        case 0x29:
        case 0x2b:
          t = fp + (code[pc + 1] as number);
          a = ((I[t] as number) >>> 0) + ((code[pc + 2] as number) >>> 0);
          if (a + 8 > memSize) throw oobMemory();
          I[t] = DV.getInt32(a, true);
          I[t + 1] = DV.getInt32(a + 4, true);
          pc += 3;
          break;
        case 0x2c:
        case 0x2d:
        case 0x30:
        case 0x31:
          t = fp + (code[pc + 1] as number);
          a = ((I[t] as number) >>> 0) + ((code[pc + 2] as number) >>> 0);
          if (a + 1 > memSize) throw oobMemory();
          b = U8[a] as number;
          if (code[pc] === 0x2c || code[pc] === 0x30) b = (b << 24) >> 24;
          I[t] = b;
          I[t + 1] = code[pc] === 0x31 ? 0 : b >> 31;
          pc += 3;
          break;
        case 0x2e:
        case 0x2f:
        case 0x32:
        case 0x33:
          t = fp + (code[pc + 1] as number);
          a = ((I[t] as number) >>> 0) + ((code[pc + 2] as number) >>> 0);
          if (a + 2 > memSize) throw oobMemory();
          b = code[pc] === 0x2e || code[pc] === 0x32 ? DV.getInt16(a, true) : DV.getUint16(a, true);
          I[t] = b;
          I[t + 1] = b >> 31;
          pc += 3;
          break;
        case 0x34:
        case 0x35:
          t = fp + (code[pc + 1] as number);
          a = ((I[t] as number) >>> 0) + ((code[pc + 2] as number) >>> 0);
          if (a + 4 > memSize) throw oobMemory();
          b = DV.getInt32(a, true);
          I[t] = b;
          I[t + 1] = code[pc] === 0x34 ? b >> 31 : 0;
          pc += 3;
          break;
        case 0x36:
        case 0x3e:
          t = fp + (code[pc + 1] as number);
          a = ((I[t] as number) >>> 0) + ((code[pc + 2] as number) >>> 0);
          if (a + 4 > memSize) throw oobMemory();
          DV.setInt32(a, I[t + 2] as number, true);
          pc += 3;
          break;
        case 0x37:
        case 0x39:
          t = fp + (code[pc + 1] as number);
          a = ((I[t] as number) >>> 0) + ((code[pc + 2] as number) >>> 0);
          if (a + 8 > memSize) throw oobMemory();
          DV.setInt32(a, I[t + 2] as number, true);
          DV.setInt32(a + 4, I[t + 3] as number, true);
          pc += 3;
          break;
        case 0x3a:
        case 0x3c:
          t = fp + (code[pc + 1] as number);
          a = ((I[t] as number) >>> 0) + ((code[pc + 2] as number) >>> 0);
          if (a + 1 > memSize) throw oobMemory();
          U8[a] = I[t + 2] as number;
          pc += 3;
          break;
        case 0x3b:
        case 0x3d:
          t = fp + (code[pc + 1] as number);
          a = ((I[t] as number) >>> 0) + ((code[pc + 2] as number) >>> 0);
          if (a + 2 > memSize) throw oobMemory();
          DV.setInt16(a, I[t + 2] as number, true);
          pc += 3;
          break;
        // --- i32 (spec 4.3.2) ---
        case 0x45: t = fp + (code[pc + 1] as number); I[t] = I[t] === 0 ? 1 : 0; pc += 2; break;
        case 0x46: t = fp + (code[pc + 1] as number); I[t] = I[t] === I[t + 2] ? 1 : 0; pc += 2; break;
        case 0x47: t = fp + (code[pc + 1] as number); I[t] = I[t] !== I[t + 2] ? 1 : 0; pc += 2; break;
        case 0x48: t = fp + (code[pc + 1] as number); I[t] = (I[t] as number) < (I[t + 2] as number) ? 1 : 0; pc += 2; break;
        case 0x49: t = fp + (code[pc + 1] as number); I[t] = (I[t] as number) >>> 0 < (I[t + 2] as number) >>> 0 ? 1 : 0; pc += 2; break;
        case 0x4a: t = fp + (code[pc + 1] as number); I[t] = (I[t] as number) > (I[t + 2] as number) ? 1 : 0; pc += 2; break;
        case 0x4b: t = fp + (code[pc + 1] as number); I[t] = (I[t] as number) >>> 0 > (I[t + 2] as number) >>> 0 ? 1 : 0; pc += 2; break;
        case 0x4c: t = fp + (code[pc + 1] as number); I[t] = (I[t] as number) <= (I[t + 2] as number) ? 1 : 0; pc += 2; break;
        case 0x4d: t = fp + (code[pc + 1] as number); I[t] = (I[t] as number) >>> 0 <= (I[t + 2] as number) >>> 0 ? 1 : 0; pc += 2; break;
        case 0x4e: t = fp + (code[pc + 1] as number); I[t] = (I[t] as number) >= (I[t + 2] as number) ? 1 : 0; pc += 2; break;
        case 0x4f: t = fp + (code[pc + 1] as number); I[t] = (I[t] as number) >>> 0 >= (I[t + 2] as number) >>> 0 ? 1 : 0; pc += 2; break;
        // --- i64 comparisons ---
        case 0x50: t = fp + (code[pc + 1] as number); I[t] = ((I[t] as number) | (I[t + 1] as number)) === 0 ? 1 : 0; pc += 2; break;
        case 0x51: t = fp + (code[pc + 1] as number); I[t] = I[t] === I[t + 2] && I[t + 1] === I[t + 3] ? 1 : 0; pc += 2; break;
        case 0x52: t = fp + (code[pc + 1] as number); I[t] = I[t] !== I[t + 2] || I[t + 1] !== I[t + 3] ? 1 : 0; pc += 2; break;
        case 0x61: t = fp + (code[pc + 1] as number); I[t] = (F64[t >> 1] as number) === (F64[(t >> 1) + 1] as number) ? 1 : 0; pc += 2; break;
        case 0x62: t = fp + (code[pc + 1] as number); I[t] = (F64[t >> 1] as number) !== (F64[(t >> 1) + 1] as number) ? 1 : 0; pc += 2; break;
        case 0x63: t = fp + (code[pc + 1] as number); I[t] = (F64[t >> 1] as number) < (F64[(t >> 1) + 1] as number) ? 1 : 0; pc += 2; break;
        case 0x64: t = fp + (code[pc + 1] as number); I[t] = (F64[t >> 1] as number) > (F64[(t >> 1) + 1] as number) ? 1 : 0; pc += 2; break;
        case 0x65: t = fp + (code[pc + 1] as number); I[t] = (F64[t >> 1] as number) <= (F64[(t >> 1) + 1] as number) ? 1 : 0; pc += 2; break;
        case 0x66: t = fp + (code[pc + 1] as number); I[t] = (F64[t >> 1] as number) >= (F64[(t >> 1) + 1] as number) ? 1 : 0; pc += 2; break;
        case 0x6a: t = fp + (code[pc + 1] as number); I[t] = ((I[t] as number) + (I[t + 2] as number)) | 0; pc += 2; break;
        case 0x6b: t = fp + (code[pc + 1] as number); I[t] = ((I[t] as number) - (I[t + 2] as number)) | 0; pc += 2; break;
        case 0x6c: t = fp + (code[pc + 1] as number); I[t] = Math.imul(I[t] as number, I[t + 2] as number); pc += 2; break;
        case 0x71: t = fp + (code[pc + 1] as number); I[t] = (I[t] as number) & (I[t + 2] as number); pc += 2; break;
        case 0x72: t = fp + (code[pc + 1] as number); I[t] = (I[t] as number) | (I[t + 2] as number); pc += 2; break;
        case 0x73: t = fp + (code[pc + 1] as number); I[t] = (I[t] as number) ^ (I[t + 2] as number); pc += 2; break;
        case 0x74: t = fp + (code[pc + 1] as number); I[t] = (I[t] as number) << (I[t + 2] as number); pc += 2; break;
        case 0x75: t = fp + (code[pc + 1] as number); I[t] = (I[t] as number) >> (I[t + 2] as number); pc += 2; break;
        case 0x76: t = fp + (code[pc + 1] as number); I[t] = (I[t] as number) >>> (I[t + 2] as number); pc += 2; break;
        case 0x7c: {
          t = fp + (code[pc + 1] as number);
          a = I[t] as number;
          const lo = (a + (I[t + 2] as number)) | 0;
          I[t + 1] = ((I[t + 1] as number) + (I[t + 3] as number) + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
          I[t] = lo;
          pc += 2;
          break;
        }
        case 0x7d: {
          t = fp + (code[pc + 1] as number);
          a = I[t] as number;
          b = I[t + 2] as number;
          I[t + 1] = ((I[t + 1] as number) - (I[t + 3] as number) - (a >>> 0 < b >>> 0 ? 1 : 0)) | 0;
          I[t] = (a - b) | 0;
          pc += 2;
          break;
        }
        case 0x83: t = fp + (code[pc + 1] as number); I[t] = (I[t] as number) & (I[t + 2] as number); I[t + 1] = (I[t + 1] as number) & (I[t + 3] as number); pc += 2; break;
        case 0x84: t = fp + (code[pc + 1] as number); I[t] = (I[t] as number) | (I[t + 2] as number); I[t + 1] = (I[t + 1] as number) | (I[t + 3] as number); pc += 2; break;
        case 0x85: t = fp + (code[pc + 1] as number); I[t] = (I[t] as number) ^ (I[t + 2] as number); I[t + 1] = (I[t + 1] as number) ^ (I[t + 3] as number); pc += 2; break;
        case 0xa0: t = (fp + (code[pc + 1] as number)) >> 1; F64[t] = (F64[t] as number) + (F64[t + 1] as number); pc += 2; break;
        case 0xa1: t = (fp + (code[pc + 1] as number)) >> 1; F64[t] = (F64[t] as number) - (F64[t + 1] as number); pc += 2; break;
        case 0xa2: t = (fp + (code[pc + 1] as number)) >> 1; F64[t] = (F64[t] as number) * (F64[t + 1] as number); pc += 2; break;
        case 0xa3: t = (fp + (code[pc + 1] as number)) >> 1; F64[t] = (F64[t] as number) / (F64[t + 1] as number); pc += 2; break;
        // --- conversions (spec 4.3.4) ---
        case 0xa7: pc += 2; break;
        case 0xac: t = fp + (code[pc + 1] as number); I[t + 1] = (I[t] as number) >> 31; pc += 2; break;
        case 0xad: t = fp + (code[pc + 1] as number); I[t + 1] = 0; pc += 2; break;
        case 0xbc: case 0xbd: case 0xbe: case 0xbf: pc += 2; break;
        default:
          // Rare instructions live in their own function so that V8 optimizes this loop on its own.
          pc = cold(m, pc, fp);
          if (m.charge !== 0) {
            fuel -= m.charge;
            m.charge = 0;
          }
          mem = m.memory;
          U8 = mem.u8;
          DV = mem.dv;
          memSize = U8.length;
          break;
      }
    }
  } catch (err) {
    const e = trapOfTierError(err);
    if (e instanceof Trap && e.wasmStack.length === 0) e.withStack([...(tier?.framesOf(e) ?? []), ...m.stackTrace(pc, cur, fsp, baseFsp)]);
    // Thrown in compiled code called from here (a trap, proc_exit): the fuel it left is the tier's.
    m.fuel = inTier && tier !== undefined ? tier.fuel() : fuel;
    throw e;
  }
}



/** The instructions `run` leaves out of its loop: conversions, rare arithmetic, bulk memory, tables. Returns the next pc. */
function cold(m: Machine, pc: number, fp: number): number {
  const code = m.code;
  const I = m.I;
  const F32 = m.F32;
  const F64 = m.F64;
  const mem = m.memory;
  const memSize = mem.u8.length;
  let t = 0;
  let a = 0;
  let b = 0;
  switch (code[pc]) {
    case Op.MEMORY_SIZE:
      I[fp + (code[pc + 1] as number)] = memSize / PAGE;
      pc += 2;
      break;
    case Op.MEMORY_GROW:
      t = fp + (code[pc + 1] as number);
      a = (I[t] as number) >>> 0;
      I[t] = mem.growPages(a);
      if ((I[t] as number) >= 0) m.charge += a * FUEL_PER_PAGE;
      pc += 2;
      break;
    case Op.MEMORY_FILL:
      t = fp + (code[pc + 1] as number);
      memoryFill(m, I[t] as number, I[t + 2] as number, I[t + 4] as number);
      pc += 2;
      break;
    case Op.MEMORY_COPY:
      t = fp + (code[pc + 1] as number);
      memoryCopy(m, I[t] as number, I[t + 2] as number, I[t + 4] as number);
      pc += 2;
      break;
    case Op.MEMORY_INIT:
      t = fp + (code[pc + 1] as number);
      memoryInit(m, code[pc + 2] as number, I[t] as number, I[t + 2] as number, I[t + 4] as number);
      pc += 3;
      break;
    case Op.DATA_DROP:
      m.datas[code[pc + 1] as number] = null;
      pc += 2;
      break;
    // --- tables (spec 4.4.6) ---
    case Op.TABLE_GET:
      t = fp + (code[pc + 1] as number);
      I[t] = tableGet(m, code[pc + 2] as number, I[t] as number);
      pc += 3;
      break;
    case Op.TABLE_SET:
      t = fp + (code[pc + 1] as number);
      tableSet(m, code[pc + 2] as number, I[t] as number, I[t + 2] as number);
      pc += 3;
      break;
    case Op.TABLE_SIZE:
      I[fp + (code[pc + 1] as number)] = (m.tables[code[pc + 2] as number] as Table).elems.length;
      pc += 3;
      break;
    case Op.TABLE_GROW:
      t = fp + (code[pc + 1] as number);
      I[t] = tableGrow(m, code[pc + 2] as number, I[t] as number, (I[t + 2] as number) >>> 0);
      pc += 3;
      break;
    case Op.TABLE_FILL:
      t = fp + (code[pc + 1] as number);
      tableFill(m, code[pc + 2] as number, I[t] as number, I[t + 2] as number, I[t + 4] as number);
      pc += 3;
      break;
    case Op.TABLE_COPY:
      t = fp + (code[pc + 1] as number);
      tableCopy(m, code[pc + 2] as number, code[pc + 3] as number, I[t] as number, I[t + 2] as number, I[t + 4] as number);
      pc += 4;
      break;
    case Op.TABLE_INIT:
      t = fp + (code[pc + 1] as number);
      tableInit(m, code[pc + 2] as number, code[pc + 3] as number, I[t] as number, I[t + 2] as number, I[t + 4] as number);
      pc += 4;
      break;
    case Op.ELEM_DROP:
      m.elems[code[pc + 1] as number] = null;
      pc += 2;
      break;
    case Op.REF_IS_NULL:
      t = fp + (code[pc + 1] as number);
      I[t] = I[t] === 0 ? 1 : 0;
      pc += 2;
      break;
    case Op.GLOBAL_GET_REF:
      I[fp + (code[pc + 1] as number)] = m.globalGetRef(code[pc + 2] as number);
      pc += 4;
      break;
    case Op.GLOBAL_SET_REF:
      m.globalSetRef(code[pc + 2] as number, I[fp + (code[pc + 1] as number)] as number);
      pc += 4;
      break;
    case Op.REF_FUNC:
      I[fp + (code[pc + 1] as number)] = (m.funcs[code[pc + 2] as number] as FuncInstance).handle;
      pc += 3;
      break;

    case 0x53: case 0x54: case 0x55: case 0x56: case 0x57: case 0x58: case 0x59: case 0x5a: {
      t = fp + (code[pc + 1] as number);
      const op = code[pc] as number;
      const signed = (op & 1) === 1;
      const ah = I[t + 1] as number;
      const bh = I[t + 3] as number;
      let c: number; // -1, 0, 1
      if (ah !== bh) c = (signed ? ah < bh : ah >>> 0 < bh >>> 0) ? -1 : 1;
      else {
        const al = (I[t] as number) >>> 0;
        const bl = (I[t + 2] as number) >>> 0;
        c = al < bl ? -1 : al > bl ? 1 : 0;
      }
      I[t] = (op <= 0x54 ? c < 0 : op <= 0x56 ? c > 0 : op <= 0x58 ? c <= 0 : c >= 0) ? 1 : 0;
      pc += 2;
      break;
    }
    // --- f32 / f64 comparisons ---
    case 0x5b: t = fp + (code[pc + 1] as number); I[t] = (F32[t] as number) === (F32[t + 2] as number) ? 1 : 0; pc += 2; break;
    case 0x5c: t = fp + (code[pc + 1] as number); I[t] = (F32[t] as number) !== (F32[t + 2] as number) ? 1 : 0; pc += 2; break;
    case 0x5d: t = fp + (code[pc + 1] as number); I[t] = (F32[t] as number) < (F32[t + 2] as number) ? 1 : 0; pc += 2; break;
    case 0x5e: t = fp + (code[pc + 1] as number); I[t] = (F32[t] as number) > (F32[t + 2] as number) ? 1 : 0; pc += 2; break;
    case 0x5f: t = fp + (code[pc + 1] as number); I[t] = (F32[t] as number) <= (F32[t + 2] as number) ? 1 : 0; pc += 2; break;
    case 0x60: t = fp + (code[pc + 1] as number); I[t] = (F32[t] as number) >= (F32[t + 2] as number) ? 1 : 0; pc += 2; break;
    // --- i32 arithmetic ---
    case 0x67: t = fp + (code[pc + 1] as number); I[t] = Math.clz32(I[t] as number); pc += 2; break;
    case 0x68: t = fp + (code[pc + 1] as number); I[t] = ctz32(I[t] as number); pc += 2; break;
    case 0x69: t = fp + (code[pc + 1] as number); I[t] = popcnt32(I[t] as number); pc += 2; break;
    case 0x6d: t = fp + (code[pc + 1] as number); I[t] = i32DivS(I[t] as number, I[t + 2] as number); pc += 2; break;
    case 0x6e: t = fp + (code[pc + 1] as number); I[t] = i32DivU(I[t] as number, I[t + 2] as number); pc += 2; break;
    case 0x6f: t = fp + (code[pc + 1] as number); I[t] = i32RemS(I[t] as number, I[t + 2] as number); pc += 2; break;
    case 0x70: t = fp + (code[pc + 1] as number); I[t] = i32RemU(I[t] as number, I[t + 2] as number); pc += 2; break;
    case 0x77:
      t = fp + (code[pc + 1] as number);
      a = I[t] as number;
      b = I[t + 2] as number;
      I[t] = (a << b) | (a >>> (32 - (b & 31)));
      pc += 2;
      break;
    case 0x78:
      t = fp + (code[pc + 1] as number);
      a = I[t] as number;
      b = I[t + 2] as number;
      I[t] = (a >>> b) | (a << (32 - (b & 31)));
      pc += 2;
      break;
    // --- i64 arithmetic ---
    case 0x79: t = fp + (code[pc + 1] as number); I[t] = i64Clz(I[t] as number, I[t + 1] as number); I[t + 1] = 0; pc += 2; break;
    case 0x7a: t = fp + (code[pc + 1] as number); I[t] = i64Ctz(I[t] as number, I[t + 1] as number); I[t + 1] = 0; pc += 2; break;
    case 0x7b:
      t = fp + (code[pc + 1] as number);
      I[t] = popcnt32(I[t] as number) + popcnt32(I[t + 1] as number);
      I[t + 1] = 0;
      pc += 2;
      break;
    case 0x7e: case 0x7f: case 0x80: case 0x81: case 0x82: case 0x86: case 0x87: case 0x88: case 0x89: case 0x8a: {
      t = fp + (code[pc + 1] as number);
      const al = I[t] as number;
      const ah = I[t + 1] as number;
      const bl = I[t + 2] as number;
      const bh = I[t + 3] as number;
      switch (code[pc]) {
        case 0x7e: i64Mul(al, ah, bl, bh); break;
        case 0x7f: i64DivS(al, ah, bl, bh); break;
        case 0x80: i64DivU(al, ah, bl, bh); break;
        case 0x81: i64RemS(al, ah, bl, bh); break;
        case 0x82: i64RemU(al, ah, bl, bh); break;
        case 0x86: i64Shl(al, ah, bl); break;
        case 0x87: i64ShrS(al, ah, bl); break;
        case 0x88: i64ShrU(al, ah, bl); break;
        case 0x89: i64Rotl(al, ah, bl); break;
        default: i64Rotr(al, ah, bl); break;
      }
      I[t] = R[0] as number;
      I[t + 1] = R[1] as number;
      pc += 2;
      break;
    }
    // --- f32 arithmetic: operands read as numbers, results rounded by the Float32Array store ---
    case 0x8b: t = fp + (code[pc + 1] as number); I[t] = (I[t] as number) & 0x7fffffff; pc += 2; break;
    case 0x8c: t = fp + (code[pc + 1] as number); I[t] = (I[t] as number) ^ -0x80000000; pc += 2; break;
    case 0x8d: t = fp + (code[pc + 1] as number); F32[t] = Math.ceil(F32[t] as number); pc += 2; break;
    case 0x8e: t = fp + (code[pc + 1] as number); F32[t] = Math.floor(F32[t] as number); pc += 2; break;
    case 0x8f: t = fp + (code[pc + 1] as number); F32[t] = Math.trunc(F32[t] as number); pc += 2; break;
    case 0x90: t = fp + (code[pc + 1] as number); F32[t] = nearest(F32[t] as number); pc += 2; break;
    case 0x91: t = fp + (code[pc + 1] as number); F32[t] = Math.sqrt(F32[t] as number); pc += 2; break;
    case 0x92: t = fp + (code[pc + 1] as number); F32[t] = (F32[t] as number) + (F32[t + 2] as number); pc += 2; break;
    case 0x93: t = fp + (code[pc + 1] as number); F32[t] = (F32[t] as number) - (F32[t + 2] as number); pc += 2; break;
    case 0x94: t = fp + (code[pc + 1] as number); F32[t] = (F32[t] as number) * (F32[t + 2] as number); pc += 2; break;
    case 0x95: t = fp + (code[pc + 1] as number); F32[t] = (F32[t] as number) / (F32[t + 2] as number); pc += 2; break;
    case 0x96: t = fp + (code[pc + 1] as number); F32[t] = Math.min(F32[t] as number, F32[t + 2] as number); pc += 2; break;
    case 0x97: t = fp + (code[pc + 1] as number); F32[t] = Math.max(F32[t] as number, F32[t + 2] as number); pc += 2; break;
    case 0x98: t = fp + (code[pc + 1] as number); I[t] = ((I[t] as number) & 0x7fffffff) | ((I[t + 2] as number) & -0x80000000); pc += 2; break;
    // --- f64 arithmetic ---
    case 0x99: t = fp + (code[pc + 1] as number); I[t + 1] = (I[t + 1] as number) & 0x7fffffff; pc += 2; break;
    case 0x9a: t = fp + (code[pc + 1] as number); I[t + 1] = (I[t + 1] as number) ^ -0x80000000; pc += 2; break;
    case 0x9b: t = (fp + (code[pc + 1] as number)) >> 1; F64[t] = Math.ceil(F64[t] as number); pc += 2; break;
    case 0x9c: t = (fp + (code[pc + 1] as number)) >> 1; F64[t] = Math.floor(F64[t] as number); pc += 2; break;
    case 0x9d: t = (fp + (code[pc + 1] as number)) >> 1; F64[t] = Math.trunc(F64[t] as number); pc += 2; break;
    case 0x9e: t = (fp + (code[pc + 1] as number)) >> 1; F64[t] = nearest(F64[t] as number); pc += 2; break;
    case 0x9f: t = (fp + (code[pc + 1] as number)) >> 1; F64[t] = Math.sqrt(F64[t] as number); pc += 2; break;
    case 0xa4: t = (fp + (code[pc + 1] as number)) >> 1; F64[t] = Math.min(F64[t] as number, F64[t + 1] as number); pc += 2; break;
    case 0xa5: t = (fp + (code[pc + 1] as number)) >> 1; F64[t] = Math.max(F64[t] as number, F64[t + 1] as number); pc += 2; break;
    case 0xa6: t = fp + (code[pc + 1] as number); I[t + 1] = ((I[t + 1] as number) & 0x7fffffff) | ((I[t + 3] as number) & -0x80000000); pc += 2; break;
    case 0xa8: t = fp + (code[pc + 1] as number); I[t] = truncI32S(F32[t] as number); pc += 2; break;
    case 0xa9: t = fp + (code[pc + 1] as number); I[t] = truncI32U(F32[t] as number); pc += 2; break;
    case 0xaa: t = fp + (code[pc + 1] as number); I[t] = truncI32S(F64[t >> 1] as number); pc += 2; break;
    case 0xab: t = fp + (code[pc + 1] as number); I[t] = truncI32U(F64[t >> 1] as number); pc += 2; break;
    case 0xae: case 0xaf: case 0xb0: case 0xb1: {
      t = fp + (code[pc + 1] as number);
      const op = code[pc] as number;
      const x = op <= 0xaf ? (F32[t] as number) : (F64[t >> 1] as number);
      if (op === 0xae || op === 0xb0) truncI64S(x);
      else truncI64U(x);
      I[t] = R[0] as number;
      I[t + 1] = R[1] as number;
      pc += 2;
      break;
    }
    case 0xb2: t = fp + (code[pc + 1] as number); F32[t] = I[t] as number; pc += 2; break;
    case 0xb3: t = fp + (code[pc + 1] as number); F32[t] = (I[t] as number) >>> 0; pc += 2; break;
    case 0xb4: t = fp + (code[pc + 1] as number); F32[t] = i64ToF32S(I[t] as number, I[t + 1] as number); pc += 2; break;
    case 0xb5: t = fp + (code[pc + 1] as number); F32[t] = i64ToF32U(I[t] as number, I[t + 1] as number); pc += 2; break;
    case 0xb6: t = fp + (code[pc + 1] as number); F32[t] = F64[t >> 1] as number; pc += 2; break;
    case 0xb7: t = fp + (code[pc + 1] as number); F64[t >> 1] = I[t] as number; pc += 2; break;
    case 0xb8: t = fp + (code[pc + 1] as number); F64[t >> 1] = (I[t] as number) >>> 0; pc += 2; break;
    case 0xb9: t = fp + (code[pc + 1] as number); F64[t >> 1] = i64ToF64S(I[t] as number, I[t + 1] as number); pc += 2; break;
    case 0xba: t = fp + (code[pc + 1] as number); F64[t >> 1] = i64ToF64U(I[t] as number, I[t + 1] as number); pc += 2; break;
    case 0xbb: t = fp + (code[pc + 1] as number); F64[t >> 1] = F32[t] as number; pc += 2; break;
    case 0xc0: t = fp + (code[pc + 1] as number); I[t] = ((I[t] as number) << 24) >> 24; pc += 2; break;
    case 0xc1: t = fp + (code[pc + 1] as number); I[t] = ((I[t] as number) << 16) >> 16; pc += 2; break;
    case 0xc2: t = fp + (code[pc + 1] as number); I[t] = ((I[t] as number) << 24) >> 24; I[t + 1] = (I[t] as number) >> 31; pc += 2; break;
    case 0xc3: t = fp + (code[pc + 1] as number); I[t] = ((I[t] as number) << 16) >> 16; I[t + 1] = (I[t] as number) >> 31; pc += 2; break;
    case 0xc4: t = fp + (code[pc + 1] as number); I[t + 1] = (I[t] as number) >> 31; pc += 2; break;
    case SAT_BASE: t = fp + (code[pc + 1] as number); I[t] = truncSatI32S(F32[t] as number); pc += 2; break;
    case SAT_BASE + 1: t = fp + (code[pc + 1] as number); I[t] = truncSatI32U(F32[t] as number); pc += 2; break;
    case SAT_BASE + 2: t = fp + (code[pc + 1] as number); I[t] = truncSatI32S(F64[t >> 1] as number); pc += 2; break;
    case SAT_BASE + 3: t = fp + (code[pc + 1] as number); I[t] = truncSatI32U(F64[t >> 1] as number); pc += 2; break;
    case SAT_BASE + 4: case SAT_BASE + 5: case SAT_BASE + 6: case SAT_BASE + 7: {
      t = fp + (code[pc + 1] as number);
      const op = (code[pc] as number) - SAT_BASE;
      const x = op <= 5 ? (F32[t] as number) : (F64[t >> 1] as number);
      if (op === 4 || op === 6) truncSatI64S(x);
      else truncSatI64U(x);
      I[t] = R[0] as number;
      I[t + 1] = R[1] as number;
      pc += 2;
      break;
    }
    default:
      throw new Error(`lang-vm internal error: bad internal opcode 0x${(code[pc] ?? -1).toString(16)} at pc ${pc}`);
  }
  return pc;
}

/**
 * The runner of instances on the JavaScript tier: a fresh call runs the compiled function; a
 * resumed one (its frames rebuilt by `adoptDeopt`) continues in the interpreter.
 */
export function runTiered(m: Machine, cur: number, pc: number, fp: number, baseFsp: number): number {
  const tier = m.tier;
  const entry = tier?.entries[cur];
  if (tier === undefined || entry === undefined || pc !== m.fEntry[cur] || m.fsp !== baseFsp) return run(m, cur, pc, fp, baseFsp);
  m.stackTop = fp + (m.fFrame[cur] as number);
  tier.enter(m.fuel, m.depth - 1);
  try {
    entry(fp);
  } catch (err) {
    m.fuel = tier.fuel();
    const e = trapOfTierError(err);
    if (e instanceof Trap && e.wasmStack.length === 0) e.withStack(tier.framesOf(e));
    throw e;
  }
  m.fuel = tier.fuel();
  if (tier.suspending()) {
    m.adoptDeopt(fp, m.fsp, m.depth);
    return 1;
  }
  return 0;
}

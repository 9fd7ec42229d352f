import { Trap } from './errors.js';

/**
 * Numeric semantics shared by the interpreter and the JavaScript tier (spec 4.3). i64 values are
 * two int32 halves: BigInt is slow in V8, so it only appears on the rare path of 64-bit division
 * with operands beyond 2^52. Two-result helpers leave their result in `R` (lo in R[0], hi in R[1]).
 */
export const R = new Int32Array(2);

const scratch = new ArrayBuffer(8);
const SI = new Int32Array(scratch);
const SF32 = new Float32Array(scratch);
const SF64 = new Float64Array(scratch);
const TWO32 = 4294967296;

/** f32 values travel as raw bits so that NaN payloads survive moves (spec 4.3.3); numbers for arithmetic. */
export function f32FromBits(bits: number): number {
  SI[0] = bits;
  return SF32[0] as number;
}
export function f32ToBits(x: number): number {
  SF32[0] = x;
  return SI[0] as number;
}
export function f64FromBits(lo: number, hi: number): number {
  SI[0] = lo;
  SI[1] = hi;
  return SF64[0] as number;
}
/** Low word of an f64; the high word is left in R[1] (R[0] also set). */
export function f64ToBits(x: number): number {
  SF64[0] = x;
  R[1] = SI[1] as number;
  return (R[0] = SI[0] as number);
}

export function popcnt32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) | 0;
}
export function ctz32(x: number): number {
  return x === 0 ? 32 : 31 - Math.clz32(x & -x);
}

export function i32DivS(a: number, b: number): number {
  if (b === 0) throw new Trap('integer divide by zero');
  if (a === -2147483648 && b === -1) throw new Trap('integer overflow');
  return (a / b) | 0;
}
export function i32DivU(a: number, b: number): number {
  if (b === 0) throw new Trap('integer divide by zero');
  return ((a >>> 0) / (b >>> 0)) | 0;
}
export function i32RemS(a: number, b: number): number {
  if (b === 0) throw new Trap('integer divide by zero');
  return a % b | 0;
}
export function i32RemU(a: number, b: number): number {
  if (b === 0) throw new Trap('integer divide by zero');
  return (a >>> 0) % (b >>> 0) | 0;
}

/** Round to nearest, ties to even (spec 4.3.3 fnearest); keeps -0 and the sign of small results. */
export function nearest(x: number): number {
  const r = Math.round(x);
  if (r - x === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

// --- i64 ---

/** High 32 bits of the unsigned 64-bit product of two uint32s. */
function mulHiU32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const t = a1 * b0 + ((a0 * b0) >>> 16);
  const w1 = (t % 65536) + a0 * b1;
  return (a1 * b1 + Math.floor(t / 65536) + Math.floor(w1 / 65536)) | 0;
}

export function i64Mul(alo: number, ahi: number, blo: number, bhi: number): void {
  R[0] = Math.imul(alo, blo);
  R[1] = (Math.imul(alo, bhi) + Math.imul(ahi, blo) + mulHiU32(alo, blo)) | 0;
}

export function i64Shl(lo: number, hi: number, k: number): void {
  k &= 63;
  if (k === 0) {
    R[0] = lo;
    R[1] = hi;
  } else if (k < 32) {
    R[1] = (hi << k) | (lo >>> (32 - k));
    R[0] = lo << k;
  } else {
    R[1] = lo << (k - 32);
    R[0] = 0;
  }
}
export function i64ShrS(lo: number, hi: number, k: number): void {
  k &= 63;
  if (k === 0) {
    R[0] = lo;
    R[1] = hi;
  } else if (k < 32) {
    R[0] = (lo >>> k) | (hi << (32 - k));
    R[1] = hi >> k;
  } else {
    R[0] = hi >> (k - 32);
    R[1] = hi >> 31;
  }
}
export function i64ShrU(lo: number, hi: number, k: number): void {
  k &= 63;
  if (k === 0) {
    R[0] = lo;
    R[1] = hi;
  } else if (k < 32) {
    R[0] = (lo >>> k) | (hi << (32 - k));
    R[1] = hi >>> k;
  } else {
    R[0] = hi >>> (k - 32);
    R[1] = 0;
  }
}
export function i64Rotl(lo: number, hi: number, k: number): void {
  k &= 63;
  if (k >= 32) {
    const t = lo;
    lo = hi;
    hi = t;
    k -= 32;
  }
  if (k === 0) {
    R[0] = lo;
    R[1] = hi;
  } else {
    R[0] = (lo << k) | (hi >>> (32 - k));
    R[1] = (hi << k) | (lo >>> (32 - k));
  }
}
export function i64Rotr(lo: number, hi: number, k: number): void {
  i64Rotl(lo, hi, (64 - (k & 63)) & 63);
}
export function i64Clz(lo: number, hi: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}
export function i64Ctz(lo: number, hi: number): number {
  return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
}

/** A 64-bit value as a double when it is below 2^52 in magnitude (exact), else NaN. */
function smallU(lo: number, hi: number): number {
  return hi >>> 0 < 0x100000 ? (hi >>> 0) * TWO32 + (lo >>> 0) : NaN;
}
function toBig(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}
function fromBig(v: bigint): void {
  R[0] = Number(BigInt.asIntN(32, v));
  R[1] = Number(BigInt.asIntN(32, v >> 32n));
}
function fromDouble(v: number): void {
  // v is an integer with |v| < 2^63.
  const hi = Math.floor(v / TWO32);
  R[0] = (v - hi * TWO32) | 0;
  R[1] = hi | 0;
}

/** Unsigned division and remainder; leaves the quotient or remainder (by `rem`) in R. */
function divRemU(alo: number, ahi: number, blo: number, bhi: number, rem: boolean): void {
  if (blo === 0 && bhi === 0) throw new Trap('integer divide by zero');
  const a = smallU(alo, ahi);
  const b = smallU(blo, bhi);
  if (a === a && b === b) {
    let q = Math.floor(a / b);
    let r = a - q * b;
    if (r < 0) {
      q--;
      r += b;
    } else if (r >= b) {
      q++;
      r -= b;
    }
    fromDouble(rem ? r : q);
    return;
  }
  const ba = BigInt.asUintN(64, toBig(alo, ahi));
  const bb = BigInt.asUintN(64, toBig(blo, bhi));
  fromBig(rem ? ba % bb : ba / bb);
}

export function i64DivU(alo: number, ahi: number, blo: number, bhi: number): void {
  divRemU(alo, ahi, blo, bhi, false);
}
export function i64RemU(alo: number, ahi: number, blo: number, bhi: number): void {
  divRemU(alo, ahi, blo, bhi, true);
}
function negate(lo: number, hi: number): void {
  R[0] = -lo | 0;
  R[1] = (~hi + (lo === 0 ? 1 : 0)) | 0;
}
/** Signed division truncates toward zero (spec 4.3.2 idiv_s); the remainder takes the dividend's sign. */
function divRemS(alo: number, ahi: number, blo: number, bhi: number, rem: boolean): void {
  if (blo === 0 && bhi === 0) throw new Trap('integer divide by zero');
  if (!rem && ahi === -2147483648 && alo === 0 && blo === -1 && bhi === -1) throw new Trap('integer overflow');
  const an = ahi < 0;
  const bn = bhi < 0;
  if (an) {
    negate(alo, ahi);
    alo = R[0] as number;
    ahi = R[1] as number;
  }
  if (bn) {
    negate(blo, bhi);
    blo = R[0] as number;
    bhi = R[1] as number;
  }
  divRemU(alo, ahi, blo, bhi, rem);
  if (rem ? an : an !== bn) negate(R[0] as number, R[1] as number);
}
export function i64DivS(alo: number, ahi: number, blo: number, bhi: number): void {
  divRemS(alo, ahi, blo, bhi, false);
}
export function i64RemS(alo: number, ahi: number, blo: number, bhi: number): void {
  divRemS(alo, ahi, blo, bhi, true);
}

export function i64ToF64S(lo: number, hi: number): number {
  return hi * TWO32 + (lo >>> 0);
}
export function i64ToF64U(lo: number, hi: number): number {
  return (hi >>> 0) * TWO32 + (lo >>> 0);
}
/** Unsigned 64-bit to f32 with one rounding: beyond 2^53, fold the low bits into a sticky bit first. */
export function i64ToF32U(lo: number, hi: number): number {
  if (hi >>> 0 < 0x200000) return Math.fround((hi >>> 0) * TWO32 + (lo >>> 0));
  const l2 = (lo >>> 11) | (hi << 21) | ((lo & 0x7ff) !== 0 ? 1 : 0);
  return Math.fround(((hi >>> 11) * TWO32 + (l2 >>> 0)) * 2048);
}
export function i64ToF32S(lo: number, hi: number): number {
  if (hi >= 0) return i64ToF32U(lo, hi);
  negate(lo, hi);
  return -i64ToF32U(R[0] as number, R[1] as number);
}

// --- float to integer (spec 4.3.3 trunc, trunc_sat) ---

export function truncI32S(x: number): number {
  if (x !== x) throw new Trap('invalid conversion to integer');
  if (!(x > -2147483649 && x < 2147483648)) throw new Trap('integer overflow', 'float out of integer range');
  return x | 0;
}
export function truncI32U(x: number): number {
  if (x !== x) throw new Trap('invalid conversion to integer');
  if (!(x > -1 && x < 4294967296)) throw new Trap('integer overflow', 'float out of integer range');
  return x | 0;
}
export function truncSatI32S(x: number): number {
  if (x !== x) return 0;
  if (x <= -2147483648) return -2147483648;
  if (x >= 2147483647) return 2147483647;
  return x | 0;
}
export function truncSatI32U(x: number): number {
  if (x !== x || x <= 0) return 0;
  if (x >= 4294967295) return -1;
  return x | 0;
}
export function truncI64S(x: number): void {
  if (x !== x) throw new Trap('invalid conversion to integer');
  if (!(x >= -9223372036854775808 && x < 9223372036854775808)) throw new Trap('integer overflow', 'float out of integer range');
  fromDouble(Math.trunc(x));
}
export function truncI64U(x: number): void {
  if (x !== x) throw new Trap('invalid conversion to integer');
  if (!(x > -1 && x < 18446744073709551616)) throw new Trap('integer overflow', 'float out of integer range');
  fromDouble(Math.trunc(x));
}
export function truncSatI64S(x: number): void {
  if (x !== x) {
    R[0] = 0;
    R[1] = 0;
  } else if (x < -9223372036854775808) {
    R[0] = 0;
    R[1] = -2147483648;
  } else if (x >= 9223372036854775808) {
    R[0] = -1;
    R[1] = 2147483647;
  } else fromDouble(Math.trunc(x));
}
export function truncSatI64U(x: number): void {
  if (x !== x || x <= -1) {
    R[0] = 0;
    R[1] = 0;
  } else if (x >= 18446744073709551616) {
    R[0] = -1;
    R[1] = -1;
  } else fromDouble(Math.trunc(x));
}

/** i64 <-> BigInt at the JavaScript boundary only (the JS API maps i64 to BigInt). */
export function i64ToBigInt(lo: number, hi: number): bigint {
  return BigInt.asIntN(64, toBig(lo, hi));
}
export function bigIntToI64(v: bigint): void {
  fromBig(BigInt.asIntN(64, v));
}

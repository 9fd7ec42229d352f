import type { AccessWidth } from './bus.js';

/**
 * Helpers for devices whose registers are 32 bits wide but which accept byte and half-word
 * accesses (QEMU widens or narrows such accesses; a guest must never be able to crash the host
 * with an odd width).
 */

/** The bytes of `word` that an access of `width` at byte `offset` sees, zero-extended. */
export function narrowRead(word: number, offset: number, width: AccessWidth): number {
  if (width === 4) return word >>> 0;
  const shift = (offset & 3) * 8;
  const mask = width === 1 ? 0xff : 0xffff;
  return (word >>> shift) & mask;
}

/** `word` with the bytes that an access of `width` at byte `offset` writes replaced from `value`. */
export function mergeWrite(word: number, offset: number, value: number, width: AccessWidth): number {
  if (width === 4) return value >>> 0;
  const shift = (offset & 3) * 8;
  const mask = (width === 1 ? 0xff : 0xffff) << shift;
  return ((word & ~mask) | ((value << shift) & mask)) >>> 0;
}

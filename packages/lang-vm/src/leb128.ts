/** Unsigned LEB128 (spec 5.2.2) of a non-negative safe integer: the bytes a module's sizes and indices are written in. */
export function uleb128(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

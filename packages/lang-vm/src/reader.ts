import { DecodeError } from './errors.js';

// Names are exact UTF-8 (spec 5.2.4): a leading U+FEFF is part of the name, not a byte-order mark to strip.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A cursor over module bytes with the binary format's primitive encodings (spec 5.2). */
export class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    public end = bytes.length,
  ) {
    this.pos = start;
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  fail(expected: string, at = this.pos): never {
    throw new DecodeError(at, expected);
  }

  byte(what = 'a byte'): number {
    if (this.pos >= this.end) this.fail(`${what}, found end of ${this.end === this.bytes.length ? 'input' : 'section'}`);
    return this.bytes[this.pos++] as number;
  }

  /** Unsigned LEB128 of at most 32 bits (spec 5.2.2): at most 5 bytes, unused high bits zero. */
  u32(what = 'u32'): number {
    let result = 0;
    let shift = 0;
    const at = this.pos;
    for (;;) {
      const b = this.byte(what);
      if (shift === 28 && (b & 0x70) !== 0) this.fail(`${what} (LEB128 with unused bits zero)`, at);
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
      if (shift > 28) this.fail(`${what} (LEB128 of at most 5 bytes)`, at);
    }
  }

  /** Signed LEB128 of 32 bits. */
  s32(what = 's32'): number {
    let result = 0;
    let shift = 0;
    const at = this.pos;
    for (;;) {
      const b = this.byte(what);
      if (shift === 28) {
        // The 5th byte holds bits 28..31; the rest must sign-extend bit 31.
        if ((b & 0x80) !== 0) this.fail(`${what} (LEB128 of at most 5 bytes)`, at);
        const top = b & 0x78;
        if (top !== 0 && top !== 0x78) this.fail(`${what} (LEB128 with sign-extended unused bits)`, at);
        return result | (b << 28);
      }
      result |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) return shift < 32 && (b & 0x40) !== 0 ? result | (-1 << shift) : result;
    }
  }

  /**
   * Signed LEB128 of 33 bits (block types, spec 5.4.1): at most 5 bytes; the value comes back as a
   * double (-2^32 .. 2^32-1), so that a type index beyond 2^31 stays an (unknown) index.
   */
  s33(what = 's33'): number {
    let result = 0;
    let mul = 1;
    const at = this.pos;
    for (let i = 0; ; i++) {
      const b = this.byte(what);
      if (i === 4) {
        if ((b & 0x80) !== 0) this.fail(`${what} (LEB128 of at most 5 bytes)`, at);
        // Bits 28..32 are the low 5 bits (bit 32 the sign); bits 33 and 34 must copy the sign.
        const sign = (b & 0x10) !== 0;
        if ((b & 0x60) !== (sign ? 0x60 : 0)) this.fail(`${what} (LEB128 with sign-extended unused bits)`, at);
        result += (b & 0x1f) * mul;
        return sign ? result - 2 ** 33 : result;
      }
      result += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) return (b & 0x40) !== 0 ? result - mul : result;
    }
  }

  /** Signed LEB128 of 64 bits as two int32 halves; `hi` is left in `this.hi`. */
  hi = 0;
  s64(what = 's64'): number {
    let lo = 0;
    let hi = 0;
    let shift = 0;
    const at = this.pos;
    for (;;) {
      const b = this.byte(what);
      const v = b & 0x7f;
      if (shift === 63) {
        if ((b & 0x80) !== 0) this.fail(`${what} (LEB128 of at most 10 bytes)`, at);
        if (v !== 0 && v !== 0x7f) this.fail(`${what} (LEB128 with sign-extended unused bits)`, at);
        hi |= v << 31;
        this.hi = hi;
        return lo;
      }
      if (shift < 28) lo |= v << shift;
      else if (shift === 28) {
        lo |= v << 28;
        hi |= v >>> 4;
      } else hi |= v << (shift - 32);
      shift += 7;
      if ((b & 0x80) === 0) {
        if ((b & 0x40) !== 0) {
          if (shift < 32) {
            lo |= -1 << shift;
            hi = -1;
          } else if (shift < 64) hi |= -1 << (shift - 32);
        }
        this.hi = hi;
        return lo;
      }
    }
  }

  /** Little-endian 32-bit word (f32 bits, and each half of f64). */
  fixed32(what: string): number {
    if (this.pos + 4 > this.end) this.fail(what);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return (b[p] as number) | ((b[p + 1] as number) << 8) | ((b[p + 2] as number) << 16) | ((b[p + 3] as number) << 24);
  }

  take(n: number, what: string): Uint8Array {
    if (n > this.end - this.pos) this.fail(`${what} of ${n} bytes, found only ${this.end - this.pos}`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  name(what = 'a name'): string {
    const at = this.pos;
    const n = this.u32(`${what} length`);
    const raw = this.take(n, what);
    try {
      return utf8.decode(raw);
    } catch {
      return this.fail(`${what} in valid UTF-8`, at);
    }
  }
}

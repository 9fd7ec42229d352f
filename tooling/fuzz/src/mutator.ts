/**
 * A small deterministic mutator: a seeded xorshift32 generator (Marsaglia, "Xorshift RNGs", 2003,
 * shifts 13/17/5) and the classic byte-level mutations of coverage-less fuzzers (bit flips,
 * interesting values written at any offset or at 4-byte field boundaries in either byte order,
 * small arithmetic on fields, inserted, deleted and duplicated ranges, truncation, splices of two
 * seeds, dictionary tokens). Case i of a run depends only on (run seed, i), so any case can be
 * rebuilt alone from its index.
 */

export class Rng {
  #s: number;

  constructor(seed: number) {
    // Scramble the seed (a multiply by the 32-bit golden ratio) so nearby seeds diverge; never 0.
    this.#s = Math.imul((seed ^ 0x9e37_79b9) >>> 0, 0x85eb_ca6b) >>> 0 || 0x1234_5678;
    for (let i = 0; i < 4; i++) this.next();
  }

  /** The next 32-bit value. */
  next(): number {
    let x = this.#s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#s = x >>> 0;
    return this.#s;
  }

  /** An integer in [0, n) (0 when n <= 0). */
  below(n: number): number {
    return n <= 0 ? 0 : Math.floor((this.next() / 2 ** 32) * n);
  }

  chance(oneIn: number): boolean {
    return this.below(oneIn) === 0;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)] as T;
  }
}

/** The generator of case `index` of a run seeded `seed`. */
export function caseRng(seed: number, index: number): Rng {
  return new Rng(Math.imul(seed >>> 0, 0x2c1b_3c6d) ^ Math.imul(index + 1, 0x297a_2d39));
}

const INTERESTING_32 = [0, 1, 2, 4, 8, 16, 32, 40, 52, 64, 100, 127, 128, 255, 256, 0x3fff, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fff_ffff, 0x8000_0000, 0x8000_0001, 0xffff_fffe, 0xffff_ffff];

export interface MutateOptions {
  /** Tokens of the input's language (JSON words, magic numbers) to insert or overwrite with. */
  readonly dictionary?: readonly Uint8Array[];
  /** Inputs never grow past this many bytes. */
  readonly maxSize: number;
}

function interesting(rng: Rng, length: number): number {
  return rng.chance(4) ? rng.pick([length, length - 1, length + 1, length * 2, rng.next()]) >>> 0 : rng.pick<number>(INTERESTING_32);
}

function writeInt(b: Uint8Array, at: number, width: number, value: number, littleEndian: boolean): void {
  for (let k = 0; k < width && at + k < b.length; k++) {
    const shift = 8 * (littleEndian ? k : width - 1 - k);
    b[at + k] = (value >>> shift) & 0xff;
  }
}

function readInt(b: Uint8Array, at: number, width: number, littleEndian: boolean): number {
  let v = 0;
  for (let k = 0; k < width; k++) v += (b[at + k] ?? 0) * 2 ** (8 * (littleEndian ? k : width - 1 - k));
  return v;
}

function concat(...parts: readonly (Uint8Array | readonly number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One mutation of `input` (a new array; `input` is not changed). */
function mutateOnce(input: Uint8Array, rng: Rng, others: readonly Uint8Array[], options: MutateOptions): Uint8Array {
  let b: Uint8Array = input.slice();
  const n = b.length;
  const at = rng.below(n);
  const le = rng.chance(2);
  switch (rng.below(12)) {
    case 0:
      if (n > 0) b[at] = (b[at] as number) ^ (1 << rng.below(8));
      break;
    case 1:
      if (n > 0) b[at] = rng.below(256);
      break;
    case 2: {
      const width = rng.pick([1, 2, 4]);
      writeInt(b, at, width, interesting(rng, n), le);
      break;
    }
    case 3:
    case 4: {
      // A header field: the 4-byte boundary, the value interesting or the old one nudged.
      const field = at & ~3;
      const value = rng.chance(2) ? interesting(rng, n) : (readInt(b, field, 4, le) + rng.pick([-2, -1, 1, 2, 4, 8, 16, -16, 0x1000, -0x1000])) >>> 0;
      writeInt(b, field, 4, value, le);
      break;
    }
    case 5: {
      const len = 1 + rng.below(rng.chance(4) ? Math.max(1, n >> 3) : 16);
      b = concat(b.subarray(0, at), b.subarray(at + len));
      break;
    }
    case 6: {
      const len = 1 + rng.below(16);
      const bytes = Array.from({ length: len }, () => (rng.chance(2) ? 0 : rng.below(256)));
      b = concat(b.subarray(0, at), bytes, b.subarray(at));
      break;
    }
    case 7: {
      const from = rng.below(n);
      const len = 1 + rng.below(Math.min(64, Math.max(1, n - from)));
      b = concat(b.subarray(0, at), b.subarray(from, from + len), b.subarray(at));
      break;
    }
    case 8:
      b = b.slice(0, rng.below(n + 1));
      break;
    case 9: {
      const other = others.length > 0 ? rng.pick(others) : input;
      const cut = rng.below(other.length + 1);
      b = concat(b.subarray(0, at), other.subarray(cut, cut + rng.below(256)));
      break;
    }
    default: {
      const dictionary = options.dictionary ?? [];
      if (dictionary.length === 0) {
        writeInt(b, at, 4, interesting(rng, n), le);
        break;
      }
      const token = rng.pick(dictionary);
      if (rng.chance(2)) b = concat(b.subarray(0, at), token, b.subarray(at));
      else b = concat(b.subarray(0, at), token, b.subarray(at + token.length));
    }
  }
  return b.length > options.maxSize ? b.subarray(0, options.maxSize) : b;
}

/** Case input: a seed picked by the generator, then 1 to 4 stacked mutations. */
export function mutate(seeds: readonly Uint8Array[], rng: Rng, options: MutateOptions): Uint8Array {
  let b = rng.pick(seeds);
  const count = 1 + rng.below(4);
  for (let i = 0; i < count; i++) b = mutateOnce(b, rng, seeds, options);
  return b;
}

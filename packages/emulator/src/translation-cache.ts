/**
 * The translation cache: blocks by physical RAM offset and data mode, bounded in blocks and in
 * generated source bytes, flushed whole when either bound would be passed (QEMU's `tb_flush`
 * policy: simple, and every chain pointer dies with it). Per RAM page it knows which words hold
 * translated code, so a store is checked with one compare and invalidates only the blocks that
 * cover the written word.
 */
import type { Block } from './translator.js';

/** Data modes (see translator.ts) × translation modes (0 as is, 1 with callouts): one slot per instruction word and mode pair. */
const MODES = 6;
/** The slot of a block of data mode `dm` and translation mode `tm` within its word's slots. */
export const cacheMode = (dm: number, tm: number): number => dm + 3 * tm;

interface CodePage {
  readonly slots: (Block | undefined)[];
  readonly blocks: Set<Block>;
}

export interface TranslationCacheOptions {
  /** Most blocks held at once; default 16384. */
  readonly maxBlocks?: number;
  /** Most generated JavaScript source held at once, in bytes; default 32 MiB. */
  readonly maxSourceBytes?: number;
}

export class TranslationCacheError extends Error {
  override name = 'TranslationCacheError';
}

export class TranslationCache {
  readonly maxBlocks: number;
  readonly maxSourceBytes: number;
  /** Per RAM page: number of live blocks with code there (the store fast path tests this). */
  readonly codePages: Int32Array;
  /** One bit per RAM word that some live block was translated from. */
  readonly #codeBits: Int32Array;
  readonly #pages: (CodePage | undefined)[];
  blocks = 0;
  sourceBytes = 0;
  peakBlocks = 0;
  peakSourceBytes = 0;
  flushes = 0;
  invalidations = 0;
  /** Called with each block that leaves the cache, so its counts can be folded in. */
  onEvict: (b: Block) => void = () => {};
  /** Called after a flush. */
  onFlush: () => void = () => {};

  /**
   * `codePages` and `codeBits`, when given, are where the per-page code counts and the per-word
   * code bits live (the wasm back end's memory, where translated stores test them).
   */
  constructor(ramSize: number, options: TranslationCacheOptions = {}, codePages?: Int32Array, codeBits?: Int32Array) {
    this.maxBlocks = options.maxBlocks ?? 16384;
    this.maxSourceBytes = options.maxSourceBytes ?? 32 * 1024 * 1024;
    if (!Number.isSafeInteger(this.maxBlocks) || this.maxBlocks < 1) {
      throw new TranslationCacheError(`maxBlocks must be a positive integer, got ${String(options.maxBlocks)}`);
    }
    if (!Number.isSafeInteger(this.maxSourceBytes) || this.maxSourceBytes < 4096) {
      throw new TranslationCacheError(`maxSourceBytes must be an integer of at least 4096, got ${String(options.maxSourceBytes)}`);
    }
    if (codePages !== undefined && codePages.length !== ramSize / 4096) {
      throw new TranslationCacheError(`codePages holds ${codePages.length} pages, RAM ${ramSize / 4096}`);
    }
    this.codePages = codePages ?? new Int32Array(ramSize / 4096);
    if (codeBits !== undefined && codeBits.length !== ramSize / 128) {
      throw new TranslationCacheError(`codeBits holds ${codeBits.length * 32} words, RAM ${ramSize / 4}`);
    }
    this.#codeBits = codeBits ?? new Int32Array(ramSize / 128);
    this.#pages = new Array<CodePage | undefined>(ramSize / 4096).fill(undefined);
  }

  /** The live block starting at RAM offset `phys` for data mode `dm` and translation mode `tm`, if any. */
  lookup(phys: number, dm: number, tm = 0): Block | undefined {
    const p = this.#pages[phys >>> 12];
    return p === undefined ? undefined : p.slots[((phys & 0xfff) >>> 2) * MODES + cacheMode(dm, tm)];
  }

  /** Makes room for one more block (flushing everything if the bound would be passed). */
  reserve(): void {
    if (this.blocks + 1 > this.maxBlocks) this.flush();
  }

  /** Would `sourceBytes` more generated source stay within the bound? */
  fits(sourceBytes: number): boolean {
    return this.sourceBytes + sourceBytes <= this.maxSourceBytes;
  }

  /** Counts source compiled for a live block (or a region of live blocks) against the bound. */
  addSource(b: Block | undefined, sourceBytes: number): void {
    if (b !== undefined) b.sourceBytes += sourceBytes;
    this.sourceBytes += sourceBytes;
    if (this.sourceBytes > this.peakSourceBytes) this.peakSourceBytes = this.sourceBytes;
  }

  insert(b: Block): void {
    const page = b.phys >>> 12;
    let p = this.#pages[page];
    if (p === undefined) {
      p = { slots: new Array<Block | undefined>(1024 * MODES).fill(undefined), blocks: new Set() };
      this.#pages[page] = p;
    }
    const slot = ((b.phys & 0xfff) >>> 2) * MODES + cacheMode(b.dm, b.tm);
    const old = p.slots[slot];
    if (old !== undefined) this.#remove(old, p);
    p.slots[slot] = b;
    p.blocks.add(b);
    this.codePages[page]!++;
    const w0 = b.phys >>> 2;
    for (let w = w0; w < w0 + b.len; w++) this.#codeBits[w >>> 5]! |= 1 << (w & 31);
    this.blocks++;
    this.sourceBytes += b.sourceBytes;
    if (this.blocks > this.peakBlocks) this.peakBlocks = this.blocks;
    if (this.sourceBytes > this.peakSourceBytes) this.peakSourceBytes = this.sourceBytes;
  }

  #remove(b: Block, p: CodePage): void {
    b.valid = false;
    b.next0 = undefined;
    b.next1 = undefined;
    b.nextDyn = undefined;
    p.slots[((b.phys & 0xfff) >>> 2) * MODES + cacheMode(b.dm, b.tm)] = undefined;
    p.blocks.delete(b);
    this.codePages[b.phys >>> 12]!--;
    this.blocks--;
    this.sourceBytes -= b.sourceBytes;
    this.onEvict(b);
  }

  /**
   * RAM bytes [off, off+size) were written: drops every block translated from a written word.
   * Returns true when any block was dropped.
   */
  written(off: number, size: number): boolean {
    if (size <= 0) return false;
    const firstWord = off >>> 2;
    const lastWord = (off + size - 1) >>> 2;
    let hit = false;
    for (let w = firstWord; w <= lastWord; w++) {
      if ((this.#codeBits[w >>> 5]! & (1 << (w & 31))) !== 0) {
        hit = true;
        break;
      }
    }
    if (!hit) return false;
    const lo = firstWord * 4;
    const hi = lastWord * 4 + 4;
    let dropped = false;
    for (let page = lo >>> 12; page <= (hi - 1) >>> 12; page++) {
      const p = this.#pages[page];
      if (p === undefined) continue;
      for (const b of [...p.blocks]) {
        if (b.phys < hi && lo < b.phys + 4 * b.len) {
          this.#remove(b, p);
          this.invalidations++;
          dropped = true;
        }
      }
      this.#rebuildBits(page, p);
    }
    return dropped;
  }

  /** Drops blocks overlapping a range of any length (DMA, loaders). */
  writtenRange(off: number, length: number): void {
    const end = Math.min(off + length, this.codePages.length * 4096);
    for (let page = Math.max(0, off >>> 12); page * 4096 < end; page++) {
      if (this.codePages[page] === 0) continue;
      const lo = Math.max(off, page * 4096);
      const hi = Math.min(end, page * 4096 + 4096);
      this.written(lo, hi - lo);
    }
  }

  #rebuildBits(page: number, p: CodePage): void {
    const w0 = page * 1024;
    for (let i = w0 >>> 5; i < (w0 + 1024) >>> 5; i++) this.#codeBits[i] = 0;
    for (const b of p.blocks) {
      const s = b.phys >>> 2;
      for (let w = s; w < s + b.len; w++) this.#codeBits[w >>> 5]! |= 1 << (w & 31);
    }
  }

  /** Drops every block (overflow, fence.i). */
  flush(): void {
    for (let page = 0; page < this.#pages.length; page++) {
      const p = this.#pages[page];
      if (p === undefined) continue;
      for (const b of p.blocks) {
        b.valid = false;
        b.next0 = undefined;
        b.next1 = undefined;
        b.nextDyn = undefined;
        this.onEvict(b);
      }
      this.#pages[page] = undefined;
    }
    this.codePages.fill(0);
    this.#codeBits.fill(0);
    this.blocks = 0;
    this.sourceBytes = 0;
    this.flushes++;
    this.onFlush();
  }

  /** Every live block (for folding counters). */
  *live(): Generator<Block> {
    for (const p of this.#pages) if (p !== undefined) yield* p.blocks;
  }
}

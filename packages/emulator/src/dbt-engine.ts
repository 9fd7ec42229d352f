/**
 * The dynamic-binary-translation engine: runs a cpu-core `Hart` by translating guest blocks to
 * JavaScript (translator.ts) instead of interpreting them, with the hart keeping every bit of
 * architectural state (registers, CSRs, TLB, PMP) and the general path.
 *
 * The run loop mirrors `Hart.run` step for step so the lab view cannot tell the engines apart:
 * the outer loop looks at halts, fault loops, interrupts (when the lab clock reaches the hart's
 * `nextCheck`), WFI and the budget, then translates the fetch address (one TLB lookup, as the
 * interpreter does per page entry); the inner loop runs blocks of that page, chained, until the
 * interpreter would leave its own inner loop: a jump off the page, the end of the page, a general
 * path instruction that changes pc or mode, a trap, the instruction budget, or the next event.
 */
import { CAUSE, FORM_BY_OP, mulhu } from '@virtlab/cpu-core';
import type { HartOptions, RunResult, StopReason } from '@virtlab/cpu-core';
import { INSTRUCTION_CLASSES } from '@virtlab/hw-model';
import type { CostModel, HartPlatform } from '@virtlab/hw-model';
import type { Engine } from './engine.js';
import { HartAccess } from './hart-access.js';
import { HartEngine } from './hart-engine.js';
import { TranslationCache } from './translation-cache.js';
import type { TranslationCacheOptions } from './translation-cache.js';
import {
  BlockContext, EXIT_CHAIN_NEXT, EXIT_CHAIN_TAKEN, EXIT_LOOKUP, compileBlock, decodeBlock, generateBlockSource, isFastMemOp,
} from './translator.js';
import type { Block, BlockFn, TranslationEnv } from './translator.js';

/** The interpreter's cap on one inner loop (cpu-core hart.ts `CHUNK`). */
const CHUNK = 1 << 24;

export type DbtOptions = TranslationCacheOptions;

/** Counters of the translator itself, apart from the lab counters. */
export type DbtCounters = {
  readonly 'dbt.blocks_translated': number;
  readonly 'dbt.checked_compiles': number;
  readonly 'dbt.cache_hits': number;
  readonly 'dbt.chain_hits': number;
  readonly 'dbt.invalidations': number;
  readonly 'dbt.flushes': number;
  readonly 'dbt.blocks': number;
  readonly 'dbt.peak_blocks': number;
  readonly 'dbt.source_bytes': number;
  readonly 'dbt.peak_source_bytes': number;
  readonly 'dbt.max_blocks': number;
  readonly 'dbt.instructions': number;
};

/** Ops whose general path writes memory (stores, sc.w, AMOs), and the bytes they write. */
function writeSize(op: number): number {
  if (op === 16) return 1;
  if (op === 17) return 2;
  if (op === 18 || (op >= 57 && op <= 66)) return 4;
  return 0;
}

export class DbtEngine extends HartEngine implements Engine {
  readonly kind = 'dbt' as const;
  readonly cache: TranslationCache;
  readonly #acc: HartAccess;
  readonly #env: TranslationEnv;
  readonly #cost: CostModel;
  readonly #h = new BlockContext();
  /** Executed counts per handler id folded from blocks (the hart's `#opCount` for what this engine ran). */
  readonly #opCounts = new Float64Array(256);
  #fastHits = 0;
  /** The block the dispatcher last entered. */
  #running: Block | undefined = undefined;
  #dm = 0;
  #modesDirty = true;
  #translated = 0;
  #checkedCompiles = 0;
  #cacheHits = 0;
  #chainHits = 0;
  #instructions = 0;

  constructor(platform: HartPlatform, options: HartOptions & DbtOptions = {}) {
    super(platform, options);
    this.#acc = new HartAccess(this.hart);
    this.#cost = platform.cost;
    const bus = platform.bus;
    this.cache = new TranslationCache(bus.ramSize, options);
    this.cache.onEvict = (b) => this.#fold(b);
    const ram = bus.ram.buffer;
    const tlb = this.hart.tlb;
    this.#env = {
      r: this.hart.regs,
      ram8: bus.ram,
      ram8s: new Int8Array(ram),
      ram16: bus.ram16,
      ram16s: new Int16Array(ram),
      ram32: bus.ram32,
      ramBase: bus.ramBase,
      ramSize: bus.ramSize,
      codePages: this.cache.codePages,
      tlbTable: tlb.fastTable,
      tlbMask: tlb.mask,
      slow: (h, b, k, c, checked) => this.#slow(h, b, k, c, checked),
      codeWrite: (h, b, k, c, off, size) => this.#codeWrite(h, b, k, c, off, size),
      exitAt: (h, b, k, c) => this.#exitAt(h, b, k, c),
      jumpFault: (h, b, k, c, target) => this.#jumpFault(h, b, k, c, target),
      mulhu,
    };
    // DMA and loaders write RAM behind the hart's back.
    bus.onRamWrite((address, length) => this.cache.writtenRange((address >>> 0) - bus.ramBase, length));
  }

  // ---------------------------------------------------------------------------------------------
  // Run loop (Hart.run's outer loop)

  /** Runs like `Hart.run(maxInstructions)`: same stops, same state, same lab cycles and counters. */
  run(maxSteps: number): RunResult {
    if (!(maxSteps >= 0)) throw new RangeError(`run: the step budget must be a number >= 0, got ${maxSteps}`);
    const maxInstructions = Math.floor(maxSteps);
    const hart = this.hart;
    const acc = this.#acc;
    const clock = hart.clock;
    const halt = hart.platform.halt;
    const h = this.#h;
    const startRetired = hart.retired;
    const startSteps = hart.retired + acc.traps;
    acc.faultLoop = undefined;
    this.#modesDirty = true;
    const result = (stop: StopReason): RunResult => {
      this.#instructions += hart.retired - startRetired;
      return { stop, instructions: hart.retired - startRetired, pc: hart.pc >>> 0 };
    };
    for (;;) {
      if (halt.reason !== undefined) return result({ kind: 'halted', halt: halt.reason });
      if (acc.faultLoop !== undefined) return result(acc.faultLoop);
      if (clock.cycles >= hart.nextCheck) {
        const t = acc.traps;
        acc.serviceInterrupts();
        if (acc.traps !== t) this.#modesDirty = true;
      }
      if (hart.waiting) {
        if (!acc.waitForInterrupt()) return result({ kind: 'deadlock', pc: hart.pc >>> 0 });
        continue;
      }
      const left = maxInstructions - (hart.retired + acc.traps - startSteps);
      if (left <= 0) return result({ kind: 'budget' });
      if (!acc.setupFetch()) {
        this.#modesDirty = true;
        continue;
      }
      if (this.#modesDirty) {
        this.#dm = acc.dataMode();
        this.#modesDirty = false;
      }
      const n = acc.fetchSingle ? 1 : Math.min(left, CHUNK);
      h.n = n;
      h.n0 = n;
      h.c = clock.cycles;
      h.evt = hart.nextCheck;
      h.retBase = hart.retired;
      h.pc = hart.pc;
      this.#inner(acc.fetchVpage, acc.fetchPhys, this.#dm);
      this.#running = undefined;
      clock.cycles = h.c;
      hart.retired = h.retBase + h.n0 - h.n;
      hart.pc = h.pc;
    }
  }

  /** Blocks of one fetch page until one leaves the inner loop. */
  #inner(vpage: number, phys: number, dm: number): void {
    const h = this.#h;
    let b = this.#block(h.pc, vpage, phys, dm);
    for (;;) {
      b.runs++;
      this.#running = b;
      let e: number;
      if (h.n >= b.len && h.c + b.last < h.evt) e = b.fast(h);
      else e = (b.checked ?? this.#compileChecked(b))(h);
      let next: Block | undefined;
      if (e === EXIT_CHAIN_TAKEN) {
        next = b.next0;
        if (next !== undefined && next.valid) this.#chainHits++;
        else {
          next = this.#block(h.pc, vpage, phys, dm);
          if (b.valid) b.next0 = next;
        }
      } else if (e === EXIT_CHAIN_NEXT) {
        next = b.next1;
        if (next !== undefined && next.valid) this.#chainHits++;
        else {
          next = this.#block(h.pc, vpage, phys, dm);
          if (b.valid) b.next1 = next;
        }
      } else if (e === EXIT_LOOKUP) {
        // jalr (and resumption after a mid-block exit): the last target, checked — an inline
        // cache for returns and switch dispatch.
        next = b.nextDyn;
        if (next !== undefined && next.valid && next.vpc === h.pc) this.#chainHits++;
        else {
          next = this.#block(h.pc, vpage, phys, dm);
          if (b.valid) b.nextDyn = next;
        }
      } else {
        return;
      }
      b = next;
    }
  }

  /** The block at virtual `pc` of the current fetch page, translated if needed. */
  #block(pc: number, vpage: number, phys: number, dm: number): Block {
    const off = phys + (pc & 0xfff);
    const found = this.cache.lookup(off, dm);
    if (found !== undefined && found.vpc === (pc | 0)) {
      this.#cacheHits++;
      return found;
    }
    const d = decodeBlock(this.#env.ram32, off, pc, dm, this.#cost);
    const source = generateBlockSource(d, this.#env, this.#cost, false);
    this.cache.reserve(source.length);
    const b = d as Block;
    b.checked = undefined;
    b.last = d.pre[d.len - 1]!;
    b.sourceBytes = source.length;
    b.fast = compileBlock(source, this.#env, b);
    this.cache.insert(b);
    this.#translated++;
    void vpage;
    return b;
  }

  #compileChecked(b: Block): BlockFn {
    const source = generateBlockSource(b, this.#env, this.#cost, true);
    this.#checkedCompiles++;
    const fn = compileBlock(source, this.#env, b);
    if (b.valid) {
      b.checked = fn;
      // Checked variants count against the bound too; they are small in number (one per event crossing).
      this.cache.sourceBytes += source.length;
      b.sourceBytes += source.length;
      if (this.cache.sourceBytes > this.cache.peakSourceBytes) this.cache.peakSourceBytes = this.cache.sourceBytes;
    }
    return fn;
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers called from generated code

  /** Instructions 0..k-1 of `b` ran, then the block left early: count exactly those. */
  #partial(b: Block, k: number): void {
    b.runs--;
    const oc = this.#opCounts;
    for (let j = 0; j < k; j++) oc[b.ops[j]!]!++;
    this.#fastHits += b.memPrefix[k]!;
  }

  #fold(b: Block): void {
    // A block that is executing now has counted a run it may not complete; `#partial` settles it.
    const n = b === this.#running ? b.runs - 1 : b.runs;
    if (n <= 0) return;
    const oc = this.#opCounts;
    for (let j = 0; j < b.len; j++) oc[b.ops[j]!]! += n;
    this.#fastHits += n * b.memPrefix[b.len]!;
    b.runs -= n;
  }

  /** Leaves before instruction k: what the interpreter does when its budget or the next event is reached. */
  #exitAt(h: BlockContext, b: Block, k: number, c: number): number {
    this.#partial(b, k);
    h.n -= k;
    h.c = c + b.pre[k]!;
    h.pc = (b.vpc + 4 * k) | 0;
    return 3;
  }

  /** Leaves after instruction k, staying in the inner loop (the block was invalidated, or an event is near). */
  #exitAfter(h: BlockContext, b: Block, k: number, cyclesAfter: number): number {
    this.#partial(b, k + 1);
    h.n -= k + 1;
    h.c = cyclesAfter;
    h.pc = (b.vpc + 4 * k + 4) | 0;
    return EXIT_LOOKUP;
  }

  /** Instruction k through the hart's general path (`Hart.execute`), synced as the interpreter syncs it. */
  #slow(h: BlockContext, b: Block, k: number, c: number, checked: boolean): number {
    const hart = this.hart;
    const clock = hart.clock;
    const word = b.words[k]!;
    const op = b.ops[k]!;
    const pc = (b.vpc + 4 * k) | 0;
    const r = hart.regs;
    const ws = writeSize(op);
    // The address a store or AMO writes, taken before rd (which may be rs1) changes.
    const va = ws === 0 ? 0 : op >= 57 ? r[(word >>> 15) & 31]! : (r[(word >>> 15) & 31]! + (((word >> 25) << 5) | ((word >>> 7) & 0x1f))) | 0;
    const after = c + b.pre[k + 1]!;
    hart.pc = pc;
    clock.cycles = after;
    hart.retired = h.retBase + (h.n0 - h.n) + k;
    const status = hart.execute(word);
    if (status === 0) {
      if (b.dm === 1 && isFastMemOp(op)) this.#fastHits--;
      if (ws !== 0) this.#slowWrite(va, ws, b.dm);
      const nc = clock.cycles - b.pre[k + 1]!;
      h.c = nc;
      h.evt = hart.nextCheck;
      if (k < b.len - 1) {
        // The rest of the block is stale (it wrote itself, or DMA did), or would cross the next event.
        if (!b.valid || (!checked && nc + b.pre[b.len - 1]! >= h.evt)) return this.#exitAfter(h, b, k, clock.cycles);
      }
      return 0;
    }
    this.#modesDirty = true;
    if (hart.trapped) {
      hart.trapped = false;
      clock.cycles -= after - c - b.pre[k]!;
      this.#partial(b, k);
      h.n -= k;
      this.#acc.noteExceptionTaken(pc);
    } else {
      this.#partial(b, k + 1);
      h.n -= k + 1;
      if (op === 39) this.cache.flush(); // fence.i (unpriv 3.1): every translation goes
    }
    h.c = clock.cycles;
    h.pc = hart.pc;
    return 3;
  }

  /** The physical bytes a general-path write reached, found again through the TLB entry it used. */
  #slowWrite(va: number, size: number, dm: number): void {
    const bus = this.hart.bus;
    const tlb = this.hart.tlb;
    const physOf = (v: number): number => {
      if (dm !== 1) return v >>> 0;
      const e = (v >>> 12) & tlb.mask;
      return tlb.vpn[e] === v >>> 12 ? tlb.physical[e]! + (v & 0xfff) : -1;
    };
    const ends = [va, (va + size - 1) | 0];
    for (const v of ends) {
      const pa = physOf(v);
      if (pa < 0) continue;
      const off = pa - bus.ramBase;
      if (off >= 0 && off < bus.ramSize && this.cache.codePages[off >>> 12] !== 0) this.cache.written(off, 1);
    }
  }

  #codeWrite(h: BlockContext, b: Block, k: number, c: number, off: number, size: number): number {
    this.cache.written(off, size);
    if (!b.valid && k < b.len - 1) return this.#exitAfter(h, b, k, c + b.pre[k + 1]!);
    return 0;
  }

  /** jal/jalr to a misaligned target: the jump does not retire and traps at its own pc (as the interpreter). */
  #jumpFault(h: BlockContext, b: Block, k: number, c: number, target: number): number {
    const hart = this.hart;
    this.#partial(b, k);
    h.n -= k;
    hart.clock.cycles = c + b.pre[k]!;
    hart.pc = (b.vpc + 4 * k) | 0;
    hart.retired = h.retBase + (h.n0 - h.n);
    this.#acc.raise(CAUSE.misalignedFetch, target);
    hart.trapped = false;
    this.#modesDirty = true;
    h.c = hart.clock.cycles;
    h.pc = hart.pc;
    return 3;
  }

  // ---------------------------------------------------------------------------------------------
  // Reporting

  /** The lab counters, named and valued as the interpreter's (`Hart.counters()`). */
  counters(): Record<string, number> {
    for (const b of this.cache.live()) this.#fold(b);
    const out = this.hart.counters();
    const byOp = this.#opCounts;
    for (let op = 0; op < byOp.length; op++) {
      const cls = FORM_BY_OP[op]?.cls;
      if (byOp[op] === 0 || cls === undefined || cls === 'alu') continue;
      out[`class.${cls}`] = (out[`class.${cls}`] ?? 0) + byOp[op]!;
    }
    // As the hart does: every retired instruction has one class, and ALU forms are the rest.
    let others = 0;
    for (const cls of INSTRUCTION_CLASSES) if (cls !== 'alu') others += out[`class.${cls}`] ?? 0;
    out['class.alu'] = out.instret! - others;
    out['tlb.hits'] = (out['tlb.hits'] ?? 0) + this.#fastHits;
    out['wfi.cycles'] = (out['wfi.cycles'] ?? 0) + this.#acc.wfiCycles;
    return out;
  }

  /** The translator's own counters (not lab counters). */
  engineCounters(): Record<string, number> & DbtCounters {
    return {
      'dbt.blocks_translated': this.#translated,
      'dbt.checked_compiles': this.#checkedCompiles,
      'dbt.cache_hits': this.#cacheHits,
      'dbt.chain_hits': this.#chainHits,
      'dbt.invalidations': this.cache.invalidations,
      'dbt.flushes': this.cache.flushes,
      'dbt.blocks': this.cache.blocks,
      'dbt.peak_blocks': this.cache.peakBlocks,
      'dbt.source_bytes': this.cache.sourceBytes,
      'dbt.peak_source_bytes': this.cache.peakSourceBytes,
      'dbt.max_blocks': this.cache.maxBlocks,
      'dbt.instructions': this.#instructions,
    };
  }
}


/**
 * The dynamic-binary-translation engine: runs a cpu-core `Hart` by translating guest blocks to
 * JavaScript (translator.ts) instead of interpreting them, with the hart keeping every bit of
 * architectural state (registers, CSRs, TLB, PMP) and the general path.
 *
 * The run loop mirrors `Hart.run` step for step so the lab view cannot tell the engines apart:
 * the outer loop looks at halts, fault loops, interrupts (when the lab clock reaches the hart's
 * `nextCheck`), WFI and the budget, then translates the fetch address (one TLB lookup, as the
 * interpreter does per page entry); the inner loop runs blocks of that page — alone, chained, or
 * inside a region (region.ts), which may carry on into other pages doing the page entry inline —
 * until the interpreter would leave its own inner loop: a jump off the page, the end of the page,
 * a general path instruction that changes pc or mode, a trap, the instruction budget, or the next
 * event.
 */
import { CAUSE, FORM_BY_OP, PMP_X, mulhu } from '@virtlab/cpu-core';
import type { HartOptions, RunResult, StopReason } from '@virtlab/cpu-core';
import { INSTRUCTION_CLASSES } from '@virtlab/hw-model';
import type { CostModel, HartPlatform } from '@virtlab/hw-model';
import type { Engine } from './engine.js';
import { HartAccess } from './hart-access.js';
import { HartEngine } from './hart-engine.js';
import { TranslationCache } from './translation-cache.js';
import type { TranslationCacheOptions } from './translation-cache.js';
import {
  BlockContext, EXIT_CHAIN_NEXT, EXIT_CHAIN_TAKEN, EXIT_LOOKUP, EXIT_OUTER, EXIT_PAGE, EXIT_SINGLE, compileBlock, decodeBlock, generateBlockSource, isFastMem,
} from './translator.js';
import type { Block, BlockFn, EmitHook, TranslationEnv } from './translator.js';
import { OUT_JUMP, OUT_SLOW, compileRegion, generateRegionSource, regionMap } from './region.js';
import type { Region, RegionFn } from './region.js';
import { LIM_MAX, fillSlot, generateWasmRegion, settleRuns } from './wasm-region.js';
import type { WasmRam } from './wasm-region.js';
import { wasmApi } from './wasm-encoder.js';

/** The interpreter's cap on one inner loop (cpu-core hart.ts `CHUNK`). */
const CHUNK = 1 << 24;

/**
 * How a monitor doing binary translation (VMware's, 1998) has the translator emit guest code:
 * code of translation mode 1 (a guest kernel's, say) has each sensitive instruction replaced by a
 * callout into the monitor — no trap, no world switch — while the rest runs as itself; code of
 * mode 0 runs as itself entirely. Blocks are cached per mode, so the same bytes run in both modes
 * each have their own translation, and a guest write to translated code drops both.
 */
export interface TranslationHooks {
  /** The translation mode of the code about to run (looked at whenever the hart's modes may have changed). */
  mode(): 0 | 1;
  /**
   * How instruction `word` of mode-1 code is emitted: given its form (undefined for an illegal
   * word) and that form's semantics from cpu-core's table, the hook returns what the translator
   * emits — the same semantics, other semantics (say, a cheaper rendering of a form whose effect
   * the monitor knows), or `CALLOUT`. A callout ends its block. `general` is for the forms cpu-core's
   * general path executes (CSRs, system, atomics, fence.i, illegal words), never for plain ones.
   */
  emit: EmitHook;
  /**
   * Runs instead of sensitive instruction `word` at `pc` (the hart's registers and pc are the
   * guest's, the instruction not retired); the monitor emulates it and sets the pc to go on at.
   */
  callout(word: number, pc: number): void;
  /** `instructions` guest instructions of mode 1 were just translated (the monitor prices it). */
  translated(instructions: number): void;
}

export interface DbtOptions extends TranslationCacheOptions {
  /** Binary translation of mode-1 code with callouts (absent: every instruction runs as itself). */
  readonly translation?: TranslationHooks;
  /**
   * Compile the blocks of a page together into a region function once a block of that page has
   * run this many times on its own (default 512); 0 turns regions off (every block runs alone).
   */
  readonly regionThreshold?: number;
  /** Most guest instructions in one region (default 512). */
  readonly maxRegionInstructions?: number;
  /**
   * Guest RAM held in a `WebAssembly.Memory` (the board's RAM buffer must be `wasmRam.buffer`):
   * regions of data mode 0 are then compiled to WebAssembly (wasm-region.ts) rather than to
   * JavaScript. `createEmulator` sets it up unless `wasm` is false.
   */
  readonly wasmRam?: WasmRam;
  /** createEmulator: hold RAM in wasm memory and compile regions to wasm (default true where WebAssembly exists). */
  readonly wasm?: boolean;
  /**
   * Steps the engine leaves to cpu-core's interpreter before it starts translating (default 2^22):
   * a short run — a boot to the shell prompt — is over before translation would pay for itself.
   * Ignored (0) with `translation` hooks, whose mode-1 code must run translated.
   */
  readonly interpretFirst?: number;
}

/** Region exits to code outside it between two looks at whether to rebuild it with that code in. */
const MERGE_WINDOW = 4096;
/** ... which it is when it runs fewer instructions than this per exit on average. */
const MERGE_SPAN = 64;

/** Region builds per page and data mode between two flushes (guards against code that keeps changing). */
const MAX_REBUILDS = 16;

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
  readonly 'dbt.page_entries': number;
  readonly 'dbt.regions_built': number;
  readonly 'dbt.region_entries': number;
  readonly 'dbt.callouts': number;
  readonly 'dbt.wasm_regions': number;
};

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
  /** The region running now (helpers leave it when it was invalidated). */
  #region: Region | undefined = undefined;
  readonly #live = new Set<Region>();
  readonly #rebuilds: Uint8Array;
  readonly #threshold: number;
  readonly #maxRegion: number;
  #regionsBuilt = 0;
  #regionEntries = 0;
  #regionChains = 0;
  #dm = 0;
  /** Translation mode (TranslationHooks.mode). */
  #tm: 0 | 1 = 0;
  readonly #hooks: TranslationHooks | undefined;
  /** Callouts made: each is a step of the budget, as an instruction or a trap is. */
  #callouts = 0;
  /** Fetch mode: 0 bare (M-mode or satp off), 1 through Sv32. */
  #fm = 0;
  /** The block that last left its page for the next (an edge for region building), if any. */
  #pageFrom: Block | undefined = undefined;
  #modesDirty = true;
  #translated = 0;
  #checkedCompiles = 0;
  #cacheHits = 0;
  #chainHits = 0;
  #instructions = 0;
  #pageEntries = 0;
  readonly #wasm: WasmRam | undefined;
  #wasmRegions = 0;
  /** Steps still left to the interpreter (the cold start). */
  #interpretLeft: number;

  constructor(platform: HartPlatform, options: HartOptions & DbtOptions = {}) {
    super(platform, options);
    this.#acc = new HartAccess(this.hart);
    this.#cost = platform.cost;
    this.#hooks = options.translation;
    const bus = platform.bus;
    const wasm = options.wasmRam;
    if (wasm !== undefined && (wasm.buffer !== bus.ram.buffer || wasm.ramSize !== bus.ramSize)) {
      throw new RangeError('DbtEngine: wasmRam must hold the board\'s RAM (pass wasmRam.buffer as the board\'s ramBuffer, with the same ramSize)');
    }
    this.#wasm = wasm;
    this.#interpretLeft = options.translation !== undefined ? 0 : options.interpretFirst ?? 1 << 22;
    if (!(this.#interpretLeft >= 0)) throw new RangeError(`interpretFirst must be a number >= 0, got ${this.#interpretLeft}`);
    this.cache = new TranslationCache(bus.ramSize, options, wasm?.codePages, wasm?.codeBits);
    this.cache.onEvict = (b) => {
      if (b.region !== undefined) this.#killRegion(b.region);
      this.#fold(b);
    };
    this.cache.onFlush = () => {
      this.#rebuilds.fill(0);
      // Every region died with its blocks: their slots in wasm memory are free again.
      this.#wasm?.reset();
    };
    this.#threshold = options.regionThreshold ?? 512;
    this.#maxRegion = options.maxRegionInstructions ?? 512;
    if (!Number.isSafeInteger(this.#threshold) || this.#threshold < 0) throw new RangeError(`regionThreshold must be an integer >= 0, got ${this.#threshold}`);
    if (!Number.isSafeInteger(this.#maxRegion) || this.#maxRegion < 1) throw new RangeError(`maxRegionInstructions must be a positive integer, got ${this.#maxRegion}`);
    this.#rebuilds = new Uint8Array((bus.ramSize >>> 12) * 6);
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
      codeWritten: (off, size) => {
        this.cache.written(off, size);
        return this.#region !== undefined && !this.#region.valid;
      },
      leaveBefore: (h, b, k, c) => {
        this.#exitAt(h, b, k, c);
        return EXIT_SINGLE;
      },
      leaveAfterWrite: (h, b, k, c) => this.#exitAfter(h, b, k, c + b.pre[k + 1]!),
      mulhu,
      fetchHits: new Float64Array(1),
    };
    // The general path (stores, AMOs, the walker's A/D updates) reports its RAM writes; DMA and
    // loaders write RAM behind the hart's back.
    this.hart.onCodeWrite = (off, size) => this.cache.written(off, size);
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
    const startSteps = hart.retired + hart.trapCount + this.#callouts;
    hart.faultLoop = undefined;
    this.#modesDirty = true;
    const result = (stop: StopReason): RunResult => {
      this.#instructions += hart.retired - startRetired;
      return { stop, instructions: hart.retired - startRetired, pc: hart.pc >>> 0 };
    };
    if (this.#interpretLeft > 0 && maxInstructions > 0) {
      // The cold start: the interpreter itself runs (lab-identical by definition; its counts are
      // the hart's, which `counters()` starts from). The translation cache is still empty, so
      // nothing translated can go stale under the interpreter's stores. It runs the whole call
      // that uses its steps up: a switch inside a call would land mid inner loop (under Sv32,
      // mid-page), where the run loop's page entry counts a fetch TLB hit the interpreter never makes.
      const r = hart.run(maxInstructions);
      this.#interpretLeft = Math.max(0, this.#interpretLeft - (hart.retired + hart.trapCount - startSteps));
      return result(r.stop);
    }
    for (;;) {
      if (halt.reason !== undefined) return result({ kind: 'halted', halt: halt.reason });
      if (hart.faultLoop !== undefined) return result(hart.faultLoop);
      if (clock.cycles >= hart.nextCheck) {
        const t = hart.trapCount;
        hart.serviceInterrupts();
        if (hart.trapCount !== t) this.#modesDirty = true;
      }
      if (hart.waiting) {
        if (!hart.waitForInterrupt()) return result({ kind: 'deadlock', pc: hart.pc >>> 0 });
        continue;
      }
      const left = maxInstructions - (hart.retired + hart.trapCount + this.#callouts - startSteps);
      if (left <= 0) return result({ kind: 'budget' });
      if (!acc.setupFetch()) {
        this.#modesDirty = true;
        continue;
      }
      if (this.#modesDirty) {
        this.#dm = acc.dataMode();
        this.#fm = hart.priv === 3 || hart.satp >>> 31 === 0 ? 0 : 1;
        this.#tm = this.#hooks?.mode() ?? 0;
        this.#modesDirty = false;
        this.#pageFrom = undefined;
      }
      const n = acc.fetchSingle ? 1 : Math.min(left, CHUNK);
      h.n = n;
      h.n0 = n;
      h.c = clock.cycles;
      h.evt = hart.nextCheck;
      h.retBase = hart.retired;
      h.pc = hart.pc;
      this.#inner(acc.fetchVpage, acc.fetchPhys, this.#dm);
      clock.cycles = h.c;
      hart.retired = h.retBase + h.n0 - h.n;
      hart.pc = h.pc;
    }
  }

  /**
   * Blocks from the fetch page the run loop set up until one leaves the inner loop. Regions may
   * carry execution to other pages (having made the interpreter's page-entry translation inline);
   * the page to continue in is then the one of the block the region left from.
   */
  #inner(vpage: number, phys: number, dm: number): void {
    const h = this.#h;
    const pmp = this.hart.pmp;
    this.#pageEntries++;
    let b: Block | undefined = this.#block(h.pc, phys, dm);
    const from = this.#pageFrom;
    if (from !== undefined) {
      // The transition that led here from another page: an edge for region building.
      this.#pageFrom = undefined;
      if (from.valid && from.dm === dm && from.tm === this.#tm) this.#noteExit(from, b, vpage, phys, dm);
    }
    let single = false;
    for (;;) {
      // (A region build may have flushed the cache, taking the block in hand with it.)
      if (b === undefined || !b.valid) b = this.#block(h.pc, phys, dm);
      const fits = h.n >= b.len && h.c + b.last < h.evt;
      const rg = b.region;
      if (rg !== undefined && fits && !single && (!rg.multiPage || (rg.fetchMode === this.#fm && rg.priv === this.hart.priv && rg.pmpEpoch === pmp.epoch))) {
        this.#region = rg;
        rg.entries++;
        const e = rg.fn(h, b.regionIndex);
        this.#region = undefined;
        const last = rg.blocks[h.blk]!;
        if (e === EXIT_PAGE) {
          this.#pageFrom = last;
          return;
        }
        if (e !== EXIT_LOOKUP && e !== EXIT_SINGLE) return;
        single = e === EXIT_SINGLE;
        vpage = last.vpc & ~0xfff;
        phys = last.phys & ~0xfff;
        b = this.#block(h.pc, phys, dm);
        if (!single && b.region !== rg) this.#noteExit(last, b, vpage, phys, dm);
        continue;
      }
      single = false;
      let e: number;
      let ran = 1;
      if (fits) {
        if (b.fast === undefined) b = this.#compileFast(b, phys, dm);
        // A block that branches to itself loops inside its function: its heat is its runs, not its calls.
        const r0 = b.runs;
        e = b.fast!(h);
        if (b.runs > r0) ran = b.runs - r0;
      } else e = (b.checked ?? this.#compileChecked(b))(h);
      // Regions leave for every general-path instruction: not worth it where every access takes it (dm 2).
      if (rg === undefined && dm !== 2 && this.#threshold > 0 && (b.heat += ran) >= this.#threshold * b.builds && b.valid) {
        // Each further try for the same block waits for twice the runs (a block left out, say by
        // the per-page cap, gets in later if it stays hot).
        b.builds *= 2;
        this.#buildRegion(b, vpage, phys, dm, undefined);
      }
      if (e === EXIT_PAGE) {
        this.#pageFrom = b;
        return;
      }
      if (e === EXIT_OUTER) return;
      const slot: Block | undefined = e === EXIT_CHAIN_TAKEN ? b.next0 : e === EXIT_CHAIN_NEXT ? b.next1 : b.nextDyn;
      if (slot !== undefined && slot.valid && slot.vpc === h.pc) {
        this.#chainHits++;
        b = slot;
        continue;
      }
      const next = this.#block(h.pc, phys, dm);
      if (b.valid) {
        if (e === EXIT_CHAIN_TAKEN) b.next0 = next;
        else if (e === EXIT_CHAIN_NEXT) b.next1 = next;
        else b.nextDyn = next;
      }
      b = next;
    }
  }

  /**
   * Control went from `from` (alone or in a region) to `to`, which is not in the same region:
   * remember the edge (regions are built along such edges), and when a region keeps leaving for
   * other code, rebuild it with that code in.
   */
  #noteExit(from: Block, to: Block, vpage: number, phys: number, dm: number): void {
    from.nextDyn = to;
    const rg = from.region;
    if (rg === undefined || !rg.valid || ++rg.exits < MERGE_WINDOW) return;
    // Rebuilding costs the new function's warm-up in V8: only for a region that leaves often for
    // the work it does (on average within MERGE_SPAN instructions).
    let done = 0;
    rg.settle?.();
    for (let j = 0; j < rg.rc.length; j++) done += (rg.rc[j]! + rg.blocks[j]!.runs) * rg.blocks[j]!.len;
    const span = (done - rg.work) / rg.exits;
    rg.exits = 0;
    rg.work = done;
    if (span < MERGE_SPAN && dm !== 2 && this.#threshold > 0 && to.valid) this.#buildRegion(to, vpage, phys, dm, rg);
  }

  /** The block at virtual `pc` of the current fetch page, decoded if needed (compiled when it first runs alone). */
  #block(pc: number, phys: number, dm: number): Block {
    const off = phys + (pc & 0xfff);
    const tm = this.#tm;
    const found = this.cache.lookup(off, dm, tm);
    if (found !== undefined && found.vpc === (pc | 0)) {
      this.#cacheHits++;
      return found;
    }
    this.cache.reserve();
    const hooks = this.#hooks;
    const b = decodeBlock(this.#env.ram32, off, pc, dm, this.#cost, tm, hooks?.emit);
    this.cache.insert(b);
    this.#translated++;
    if (tm === 1 && hooks !== undefined) {
      // The translation's price lands in the lab cycles of the inner loop now running.
      const clock = this.hart.clock;
      clock.cycles = this.#h.c;
      hooks.translated(b.len);
      this.#h.c = clock.cycles;
    }
    return b;
  }

  /** Compiles the single-block function of `b`; returns the block to run (a new one if making room flushed the cache). */
  #compileFast(b: Block, phys: number, dm: number): Block {
    let source = generateBlockSource(b, this.#env, this.#cost, false);
    if (!this.cache.fits(source.length)) {
      this.cache.flush();
      b = this.#block(b.vpc, phys, dm);
      source = generateBlockSource(b, this.#env, this.#cost, false);
    }
    b.fast = compileBlock(source, this.#env, b);
    this.cache.addSource(b, source.length);
    return b;
  }

  /**
   * Compiles the hot code around `seed` into one region function: the blocks reached from it along
   * the transitions they actually took (chain pointers and noted exits), of its data mode, that have
   * run on their own at least half the threshold. A region met on the way is absorbed (rebuilt as
   * part of the new one), so that a loop does not stay split across two regions; `with` is absorbed
   * in any case. Blocks of other pages join only where a page entry can be checked inline: under
   * Sv32 through the TLB, and in bare mode when PMP lets the page be executed whole.
   */
  #buildRegion(seed: Block, vpage: number, phys: number, dm: number, withRegion: Region | undefined): void {
    // Builds and merges are capped separately per page (merges only happen for regions that leave often).
    const key = ((phys >>> 12) * 3 + dm) * 2 + (withRegion === undefined ? 0 : 1);
    // Past the cap, a seed that has kept running alone long enough still gets its region.
    if (this.#rebuilds[key]! >= MAX_REBUILDS && seed.heat < this.#threshold * 64) return;
    if (this.#rebuilds[key]! < 255) this.#rebuilds[key]!++;
    const hart = this.hart;
    const bus = hart.bus;
    const fm = this.#fm;
    const warm = Math.max(2, this.#threshold >>> 1);
    const chosen = new Set<Block>();
    const absorbed = new Set<Region>();
    const queue: Block[] = [];
    const pageOk = new Map<number, boolean>();
    let insns = 0;
    // One physical page per virtual page (jumps inside a page are not checked), one block per pc.
    const physOf = new Map<number, number>([[vpage, phys]]);
    const pcs = new Set<number>();
    const samePageOk = (b: Block): boolean => {
      const vp = b.vpc & ~0xfff;
      const p = b.phys & ~0xfff;
      if ((physOf.get(vp) ?? p) !== p || pcs.has(b.vpc)) return false;
      if (vp === vpage) return true;
      let ok = pageOk.get(p);
      if (ok === undefined) {
        // Bare fetch: the virtual page is the physical one; either way PMP must grant the whole page.
        ok = (fm === 1 || (b.vpc & ~0xfff) === ((bus.ramBase + p) | 0)) && (hart.pmp.permissions(bus.ramBase + p, 4096, hart.priv) & PMP_X) !== 0;
        pageOk.set(p, ok);
      }
      return ok;
    };
    const take = (b: Block) => {
      if (chosen.has(b)) return;
      chosen.add(b);
      physOf.set(b.vpc & ~0xfff, b.phys & ~0xfff);
      pcs.add(b.vpc);
      queue.push(b);
      insns += b.len;
    };
    const absorb = (r: Region) => {
      if (absorbed.has(r) || !r.valid || r.dm !== dm || r.blocks.some((x) => !x.valid || x.tm !== seed.tm || !samePageOk(x))) return;
      if (insns + r.blocks.reduce((sum, x) => sum + x.len, 0) > this.#maxRegion) return;
      absorbed.add(r);
      for (const x of r.blocks) take(x);
    };
    const add = (b: Block | undefined, force: boolean) => {
      if (b === undefined || !b.valid || chosen.has(b) || b.dm !== dm || b.tm !== seed.tm || !samePageOk(b)) return;
      // Other regions join only when asked for (`withRegion`: a region that leaves for this code all the time).
      if (b.region !== undefined) return withRegion !== undefined ? absorb(b.region) : undefined;
      if ((!force && b.heat < warm) || insns + b.len > this.#maxRegion) return;
      take(b);
    };
    add(seed, true);
    if (withRegion !== undefined) absorb(withRegion);
    for (let q = 0; q < queue.length; q++) {
      const b = queue[q]!;
      add(b.next0, false);
      add(b.next1, false);
      add(b.nextDyn, false);
    }
    if (chosen.size === 0) return;
    // A merge that would only rebuild the same region (what it leaves for could not join) is
    // skipped: a rebuild restarts the engine's warm-up of the function and costs its compile again.
    if (absorbed.size === 1 && [...absorbed][0]!.blocks.length === chosen.size && [...absorbed][0]!.blocks.every((x) => chosen.has(x))) return;
    const blocks = [...chosen].sort((x, y) => x.phys - y.phys);
    const map = regionMap(blocks);
    const multiPage = blocks.some((b) => (b.phys & ~0xfff) !== (blocks[0]!.phys & ~0xfff));
    const wasm = dm === 0 ? this.#wasm : undefined;
    const slot = wasm === undefined ? -1 : wasm.allocSlot(blocks.length);
    const code = slot < 0 ? undefined : generateWasmRegion(blocks, wasm!, slot, this.#env.ramBase, this.#cost);
    const bytes = code?.bytes;
    const source = bytes === undefined ? generateRegionSource(blocks, fm, this.#env, this.#cost) : '';
    const size = bytes === undefined ? source.length : bytes.length;
    if (!this.cache.fits(size)) {
      this.cache.flush();
      return;
    }
    for (const old of absorbed) this.#killRegion(old);
    const rg: Region = {
      dm, blocks, map, rc: new Float64Array(blocks.length), multiPage, fetchMode: fm, priv: hart.priv, pmpEpoch: hart.pmp.epoch,
      fn: undefined!, settle: undefined, valid: true, sourceBytes: size, entries: 0, exits: 0, work: 0,
    };
    if (bytes === undefined) rg.fn = compileRegion(source, this.#env, rg);
    else {
      rg.fn = this.#wasmRegionFn(rg, bytes, wasm!, fillSlot(wasm!, slot, blocks), code!.loops);
      this.#wasmRegions++;
    }
    blocks.forEach((b, j) => {
      b.region = rg;
      b.regionIndex = j;
    });
    this.cache.addSource(undefined, size);
    this.#live.add(rg);
    this.#regionsBuilt++;
  }

  /**
   * The region function of a wasm region: registers into wasm memory, the call, registers back,
   * then what a JavaScript region's epilogue does (region.ts): out-of-line exits settled by the
   * helpers, else the context advanced.
   */
  #wasmRegionFn(rg: Region, bytes: Uint8Array, wasm: WasmRam, runs: Int32Array, loops: readonly (readonly number[] | undefined)[]): RegionFn {
    const api = wasmApi!;
    const instance = new api.Instance(new api.Module(bytes), { e: { m: wasm.memory } });
    const f = instance.exports.f as (i: number, n: number, lim: number) => number;
    const regs = this.hart.regs.subarray(0, 32);
    const wregs = wasm.regs;
    const out = wasm.out;
    const blocks = rg.blocks;
    const env = this.#env;
    const cache = this.cache;
    const rc = rg.rc;
    rg.settle = () => settleRuns(runs, rc, loops);
    // A call runs at most CHUNK (2^24) instructions: settled every 64 calls, no counter passes 2^30.
    let calls = 0;
    return (h, i) => {
      if (++calls === 64) {
        calls = 0;
        rg.settle!();
      }
      wregs.set(regs);
      const c0 = h.c;
      const d = h.evt - c0;
      const e = f(i, h.n, d > LIM_MAX ? LIM_MAX : d);
      regs.set(wregs);
      const c = c0 + out[0]!;
      const n = out[1]!;
      const j = out[4]!;
      h.blk = j;
      if (e >= OUT_SLOW) {
        const b = blocks[j]!;
        const k = out[3]!;
        const start = c - b.pre[b.len]!;
        h.n = n + b.len;
        if (e === OUT_SLOW) return env.leaveBefore(h, b, k, start);
        if (e === OUT_JUMP) return env.jumpFault(h, b, k, start, out[2]!);
        // OUT_WRITE: the store at k wrote a page holding translations.
        const em = b.sems[k]!;
        cache.written(out[2]!, em.kind === 'store' ? em.size : 4);
        return env.leaveAfterWrite(h, b, k, start);
      }
      h.n = n;
      h.c = c;
      h.pc = out[2]!;
      return e;
    };
  }

  /** Folds a region's counts into its blocks. */
  #foldRegion(rg: Region): void {
    rg.settle?.();
    const rc = rg.rc;
    for (let j = 0; j < rc.length; j++) {
      if (rc[j] === 0) continue;
      rg.blocks[j]!.runs += rc[j]!;
      this.#regionChains += rc[j]!;
      rc[j] = 0;
    }
  }

  /** A block of the region left the cache: the region goes (its blocks stay). */
  #killRegion(rg: Region): void {
    if (!rg.valid) return;
    this.#foldRegion(rg);
    rg.valid = false;
    for (const b of rg.blocks) if (b.region === rg) b.region = undefined;
    this.#live.delete(rg);
    this.#regionEntries += rg.entries;
    this.cache.sourceBytes -= rg.sourceBytes;
  }

  #compileChecked(b: Block): BlockFn {
    const source = generateBlockSource(b, this.#env, this.#cost, true);
    this.#checkedCompiles++;
    const fn = compileBlock(source, this.#env, b);
    if (b.valid) {
      b.checked = fn;
      // Checked variants count against the bound too; they are small in number (one per event crossing).
      this.cache.addSource(b, source.length);
    }
    return fn;
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers called from generated code

  /**
   * Instructions 0..k-1 of `b` ran, then the block left early. Blocks count a whole run when they
   * start, so the instructions that did not run are taken off (straight from the totals, which
   * stays right even when the block has left the cache meanwhile).
   */
  #partial(b: Block, k: number): void {
    const oc = this.#opCounts;
    for (let j = k; j < b.len; j++) oc[b.ops[j]!]!--;
    this.#fastHits -= b.memPrefix[b.len]! - b.memPrefix[k]!;
  }

  #fold(b: Block): void {
    const n = b.runs;
    if (n === 0) return;
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

  /** Leaves after instruction k (the block was invalidated, or an event is near), staying in the inner loop when still in the page. */
  #exitAfter(h: BlockContext, b: Block, k: number, cyclesAfter: number): number {
    this.#partial(b, k + 1);
    h.n -= k + 1;
    h.c = cyclesAfter;
    h.pc = (b.vpc + 4 * k + 4) | 0;
    // After the last instruction of a block that ends at the page end, the next pc is off the page.
    return ((h.pc ^ b.vpc) >>> 12) === 0 ? EXIT_LOOKUP : EXIT_OUTER;
  }

  /** Instruction k through the hart's general path (`Hart.execute`), synced as the interpreter syncs it. */
  #slow(h: BlockContext, b: Block, k: number, c: number, checked: boolean): number {
    const hart = this.hart;
    const clock = hart.clock;
    const word = b.words[k]!;
    const op = b.ops[k]!;
    const pc = (b.vpc + 4 * k) | 0;
    const after = c + b.pre[k + 1]!;
    hart.pc = pc;
    if (b.sems[k]!.kind === 'callout') {
      // A callout: the monitor emulates the instruction, which neither retires nor costs its own price.
      clock.cycles = c + b.pre[k]!;
      hart.retired = h.retBase + (h.n0 - h.n) + k;
      this.#partial(b, k);
      h.n -= k;
      this.#callouts++;
      this.#hooks!.callout(word, pc);
      this.#modesDirty = true;
      h.c = clock.cycles;
      h.pc = hart.pc;
      return EXIT_OUTER;
    }
    clock.cycles = after;
    hart.retired = h.retBase + (h.n0 - h.n) + k;
    const status = hart.execute(word);
    if (status === 0) {
      if (b.dm === 1 && isFastMem(b.sems[k]!)) this.#fastHits--;
      const nc = clock.cycles - b.pre[k + 1]!;
      h.c = nc;
      h.evt = hart.nextCheck;
      // The rest of the block (or of the region) is stale: it wrote itself, or DMA did. (Even after
      // its last instruction: a block that left the cache must not count the run.)
      if (!b.valid || (this.#region !== undefined && !this.#region.valid)) return this.#exitAfter(h, b, k, clock.cycles);
      // The rest of the block would cross the next event.
      if (k < b.len - 1 && !checked && nc + b.pre[b.len - 1]! >= h.evt) return this.#exitAfter(h, b, k, clock.cycles);
      return 0;
    }
    this.#modesDirty = true;
    if (hart.trapped) {
      hart.trapped = false;
      clock.cycles -= after - c - b.pre[k]!;
      this.#partial(b, k);
      h.n -= k;
    } else {
      this.#partial(b, k + 1);
      h.n -= k + 1;
      if (op === 39) this.cache.flush(); // fence.i (unpriv 3.1): every translation goes
    }
    h.c = clock.cycles;
    h.pc = hart.pc;
    return 3;
  }

  #codeWrite(h: BlockContext, b: Block, k: number, c: number, off: number, size: number): number {
    this.cache.written(off, size);
    if (!b.valid || (this.#region !== undefined && !this.#region.valid)) return this.#exitAfter(h, b, k, c + b.pre[k + 1]!);
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
    hart.takeTrap(CAUSE.misalignedFetch, false, target);
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
    for (const rg of this.#live) this.#foldRegion(rg);
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
    out['tlb.hits'] = (out['tlb.hits'] ?? 0) + this.#fastHits + this.#env.fetchHits[0]!;
    return out;
  }

  /** The translator's own counters (not lab counters). */
  engineCounters(): Record<string, number> & DbtCounters {
    for (const rg of this.#live) this.#foldRegion(rg);
    const regionEntries = this.#regionEntries + [...this.#live].reduce((sum, rg) => sum + rg.entries, 0);
    return {
      'dbt.blocks_translated': this.#translated,
      'dbt.checked_compiles': this.#checkedCompiles,
      'dbt.cache_hits': this.#cacheHits,
      // Block to block without a lookup: chain pointers, and every block run inside a region but the first of each entry.
      'dbt.chain_hits': this.#chainHits + Math.max(0, this.#regionChains - regionEntries),
      'dbt.invalidations': this.cache.invalidations,
      'dbt.flushes': this.cache.flushes,
      'dbt.blocks': this.cache.blocks,
      'dbt.peak_blocks': this.cache.peakBlocks,
      'dbt.source_bytes': this.cache.sourceBytes,
      'dbt.peak_source_bytes': this.cache.peakSourceBytes,
      'dbt.max_blocks': this.cache.maxBlocks,
      'dbt.instructions': this.#instructions,
      'dbt.page_entries': this.#pageEntries,
      'dbt.regions_built': this.#regionsBuilt,
      'dbt.region_entries': regionEntries,
      'dbt.callouts': this.#callouts,
      'dbt.wasm_regions': this.#wasmRegions,
    };
  }
}


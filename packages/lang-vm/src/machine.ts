import { FuelExhausted, Trap, WasmError } from './errors.js';
import type { WasmFrame } from './errors.js';
import type { FuncInstance, Global, Memory, Refs, Table } from './runtime.js';
import { funcOf, toJs, toWasm } from './runtime.js';
import type { CompiledModule } from './validator.js';
import type { FuncType, ValType } from './types.js';
import { FUNCREF } from './types.js';
import { run } from './interpreter.js';
import type { DeoptRecord, TierModule } from './js-tier.js';

/** The machines whose guests are calling host functions right now, innermost last (WASI finds the caller's memory through it). */
const callers: Machine[] = [];
export function currentCaller(): Machine | undefined {
  return callers[callers.length - 1];
}
/** proc_exit's unwinding (wasi.ts): an exit, not a host failure. */
const isExit = (e: unknown): boolean => e instanceof Error && e.name === 'ProcExit';

/** Per-instance resource limits (all optional; defaults in `DEFAULT_LIMITS`). */
export interface Limits {
  /** Instruction budget; `Infinity` for none. Exhaustion suspends the call (`FuelExhausted`). */
  readonly fuel?: number;
  /** Memory pages the instance may have, on top of the module's declared maximum. */
  readonly maxMemoryPages?: number;
  /** Nested wasm calls before a `call stack exhausted` trap. */
  readonly maxCallDepth?: number;
  /** Value-stack size in 32-bit words (two per value). */
  readonly stackWords?: number;
}

export const DEFAULT_LIMITS = { maxMemoryPages: 65536, maxCallDepth: 10_000, stackWords: 1 << 20 } as const;

/** Checks each limit a caller gave: a RangeError names the option and the bad value (never a silent default). */
export function checkResourceLimits(limits: Limits): void {
  const check = (name: string, v: number | undefined, min: number, max: number, infinite = false) => {
    if (v === undefined || (infinite && v === Infinity)) return;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      throw new RangeError(`instance option ${name} must be an integer in ${min}..${max}${infinite ? ' or Infinity' : ''}, got ${String(v)}`);
    }
  };
  check('fuel', limits.fuel, 0, Number.MAX_SAFE_INTEGER, true);
  check('maxMemoryPages', limits.maxMemoryPages, 0, 65536);
  check('maxCallDepth', limits.maxCallDepth, 1, 1 << 22);
  check('stackWords', limits.stackWords, 1024, 1 << 28);
}

/** Where a suspended call stopped: enough to continue it exactly (explicit frames, no JS recursion). */
export interface Suspension {
  pc: number;
  fp: number;
  cur: number;
  fsp: number;
  depth: number;
  readonly funcIndex: number;
}

/**
 * The state of one instance that the interpreter runs over: code, function tables, memory, tables,
 * globals, segments, a value stack of 32-bit words (aliased as f32/f64 views) and an explicit frame
 * stack of (return pc, caller fp, caller function) triples.
 */
export class Machine {
  readonly code: Int32Array;
  readonly numImported: number;
  readonly fEntry: Int32Array;
  readonly fFrame: Int32Array;
  readonly fParamWords: Int32Array;
  readonly fLocalWords: Int32Array;
  readonly typeIdOfType: Int32Array;
  readonly funcs: FuncInstance[] = [];
  memory: Memory;
  readonly tables: Table[] = [];
  readonly globals: Int32Array[] = [];
  readonly globalObjects: Global[] = [];
  readonly datas: (Uint8Array | null)[] = [];
  readonly elems: (Int32Array | null)[] = [];
  readonly I: Int32Array;
  readonly F32: Float32Array;
  readonly F64: Float64Array;
  readonly frames: Int32Array;
  readonly stackWords: number;
  readonly maxDepth: number;
  fsp = 0;
  depth = 0;
  fuel: number;
  /** First free stack word, for a re-entrant call made while the interpreter calls out to the host. */
  stackTop = 0;
  active = 0;
  suspended: Suspension | null = null;
  /** The JavaScript tier of this instance, when it runs on that tier. */
  tier: TierModule | undefined;
  /**
   * Every funcref handle this machine's stack may hold, with its function: its own functions and
   * imports, and whatever came in from tables, globals, JavaScript and other instances.
   */
  readonly refs: Refs = new Map();
  /** Fuel owed by the last grow or bulk operation (proportional to its work); the running tier takes it. */
  charge = 0;
  /** Frames the JavaScript tier spilled when fuel ran out, innermost first. */
  deopt: DeoptRecord[] = [];

  constructor(
    readonly compiled: CompiledModule,
    memory: Memory,
    limits: Limits,
  ) {
    const { info, funcs } = compiled;
    this.code = compiled.code;
    this.numImported = info.numImportedFuncs;
    const n = info.funcTypes.length;
    this.fEntry = new Int32Array(n).fill(-1);
    this.fFrame = new Int32Array(n);
    this.fParamWords = new Int32Array(n);
    this.fLocalWords = new Int32Array(n);
    this.typeIdOfType = new Int32Array(info.types.length);
    for (const f of funcs) {
      const t = info.types[f.typeIndex] as FuncType;
      this.fEntry[f.index] = f.entry;
      this.fFrame[f.index] = f.frameWords;
      this.fParamWords[f.index] = t.params.length * 2;
      this.fLocalWords[f.index] = f.localTypes.length * 2;
    }
    this.memory = memory;
    this.stackWords = limits.stackWords ?? DEFAULT_LIMITS.stackWords;
    this.maxDepth = limits.maxCallDepth ?? DEFAULT_LIMITS.maxCallDepth;
    this.fuel = limits.fuel === undefined || limits.fuel === Infinity ? Number.MAX_SAFE_INTEGER : limits.fuel;
    const buf = new ArrayBuffer(this.stackWords * 4);
    this.I = new Int32Array(buf);
    this.F32 = new Float32Array(buf);
    this.F64 = new Float64Array(buf);
    this.frames = new Int32Array(Math.min(this.maxDepth + 8, 1 << 22) * 3);
  }

  /** global.get of a funcref global: its handle, now resolvable on this machine. */
  globalGetRef(gi: number): number {
    const g = this.globalObjects[gi] as Global;
    const h = g.cell[0] as number;
    if (h !== 0) this.refs.set(h, g.fn as FuncInstance);
    return h;
  }
  /** global.set of a funcref global: the global holds the function too. */
  globalSetRef(gi: number, h: number): void {
    const g = this.globalObjects[gi] as Global;
    g.cell[0] = h;
    g.fn = h === 0 ? undefined : funcOf(this.refs, h);
  }

  funcType(index: number): FuncType {
    return (this.funcs[index] as FuncInstance).type;
  }

  /** Byte offset in the module of the instruction at `pc`. */
  offsetOf(pc: number): number {
    const { pcs, offsets } = this.compiled;
    let lo = 0;
    let hi = pcs.length - 1;
    if (hi < 0 || pc < (pcs[0] as number)) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((pcs[mid] as number) <= pc) lo = mid;
      else hi = mid - 1;
    }
    return offsets[lo] as number;
  }

  /** The wasm stack, innermost first: the current function at `pc`, then each caller at its call. */
  stackTrace(pc: number, cur: number, fsp: number, baseFsp: number): WasmFrame[] {
    const names = this.compiled.info.funcNames;
    const frame = (funcIndex: number, p: number): WasmFrame => {
      const name = names.get(funcIndex);
      return name === undefined ? { funcIndex, offset: this.offsetOf(p) } : { funcIndex, name, offset: this.offsetOf(p) };
    };
    const out = [frame(cur, pc)];
    for (let k = fsp - 3; k >= baseFsp && out.length < 64; k -= 3) out.push(frame(this.frames[k + 2] as number, (this.frames[k] as number) - 1));
    return out;
  }

  /**
   * Rebuilds the frames the JavaScript tier spilled (fuel ran out) as interpreter frames, the
   * outermost at `fp`, above `fsp`, and records the innermost as the suspension point.
   */
  adoptDeopt(fp: number, fsp: number, depth: number): void {
    const recs = this.deopt;
    this.deopt = [];
    for (let i = recs.length - 1; i >= 0; i--) {
      const r = recs[i] as DeoptRecord;
      if (fp + 2 * r.types.length > this.stackWords) throw new Trap('call stack exhausted');
      // Every value arrives as its two words (f64 too, so that NaN payloads survive).
      for (let j = 0; j < r.types.length; j++) {
        this.I[fp + 2 * j] = r.values[2 * j] as number;
        this.I[fp + 2 * j + 1] = r.values[2 * j + 1] as number;
      }
      if (i === 0) {
        this.suspended = { pc: r.pc, fp, cur: r.fi, fsp, depth, funcIndex: -1 };
        break;
      }
      // r.pc is the instruction after a call; its argument offset is the call's second-to-last word.
      const argOff = this.code[r.pc - 2] as number;
      this.frames[fsp++] = r.pc;
      this.frames[fsp++] = fp;
      this.frames[fsp++] = r.fi;
      depth++;
      fp += argOff;
    }
    this.fsp = fsp;
    this.depth = depth;
  }

  /** Calls function `fi` with its arguments at absolute word `at`; results replace them. */
  callOut(f: FuncInstance, at: number, words: Int32Array = this.I, refs: Refs = this.refs): void {
    const owner = f.owner;
    if (owner instanceof Machine) {
      // Another lang-vm instance: its arguments and results cross as words, bit for bit (a
      // signalling NaN keeps its payload, which a trip through JavaScript numbers would not).
      owner.invokeWords(f.index, words, at, refs);
      return;
    }
    const { params, results } = f.type;
    const args: unknown[] = [];
    for (let i = 0; i < params.length; i++) args.push(toJs(params[i] as ValType, words, at + 2 * i, refs));
    let r: unknown;
    callers.push(this);
    try {
      r = f.callable(...args);
    } catch (e) {
      // The guest sees a host failure as a trap naming the import; lang-vm's own errors and proc_exit pass through.
      if (e instanceof WasmError || isExit(e)) throw e;
      throw new Trap('host error', `${this.importName(f)} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, { cause: e });
    } finally {
      callers.pop();
    }
    try {
      if (results.length === 1) toWasm(results[0] as ValType, r, words, at, refs);
      else if (results.length > 1) {
        const list = [...(r as Iterable<unknown>)];
        if (list.length !== results.length) throw new TypeError(`returned ${list.length} values, expected ${results.length}`);
        for (let i = 0; i < results.length; i++) toWasm(results[i] as ValType, list[i], words, at + 2 * i, refs);
      }
    } catch (e) {
      throw new Trap('host error', `${this.importName(f)} returned a bad result: ${(e as Error).message}`, { cause: e });
    }
  }

  /** `'module'.'name'` of the import that `f` is, or its function index when no import names it. */
  private importName(f: FuncInstance): string {
    const fi = this.funcs.indexOf(f);
    const imp = fi >= 0 && fi < this.numImported ? this.compiled.info.imports.filter((i) => i.desc.kind === 'function')[fi] : undefined;
    return imp !== undefined ? `import '${imp.module}'.'${imp.name}'` : `host function (handle ${f.handle})`;
  }

  /** Where a call of `fi` from outside the interpreter puts its frame (above the current ones when re-entrant). */
  private callFrame(fi: number): { outer: boolean; base: number; baseFsp: number; savedDepth: number } {
    const outer = this.active === 0;
    if (outer && this.suspended !== null) {
      throw new WasmError('the instance is suspended (fuel exhausted): resume() or abort() it first');
    }
    const base = outer ? 0 : this.stackTop;
    const baseFsp = outer ? 0 : this.fsp;
    const savedDepth = this.depth;
    if (base + (this.fFrame[fi] as number) > this.stackWords) throw new Trap('call stack exhausted');
    return { outer, base, baseFsp, savedDepth };
  }

  /** Zeroes the frame's non-parameter locals (its arguments are in place) and counts its depth. */
  private startFrame(fi: number, base: number, savedDepth: number): void {
    this.I.fill(0, base + (this.fParamWords[fi] as number), base + (this.fLocalWords[fi] as number));
    if (savedDepth >= this.maxDepth) throw new Trap('call stack exhausted');
    this.depth = savedDepth + 1;
  }

  /**
   * Invokes function `fi` from JavaScript (the export wrapper). Re-entrant: a call made while the
   * interpreter is calling out runs above the current frames.
   */
  invoke(fi: number, args: readonly unknown[]): unknown {
    const f = this.funcs[fi] as FuncInstance;
    if (this.fEntry[fi] === -1) return f.callable(...args);
    const { params, results } = f.type;
    const { outer, base, baseFsp, savedDepth } = this.callFrame(fi);
    for (let i = 0; i < params.length; i++) {
      toWasm(params[i] as ValType, i < args.length ? args[i] : params[i] === 0x7e ? 0n : params[i] === 0x70 ? null : params[i] === 0x6f ? undefined : 0, this.I, base + 2 * i);
    }
    this.startFrame(fi, base, savedDepth);
    return this.execute(fi, this.fEntry[fi] as number, base, baseFsp, savedDepth, outer, results, base, fi);
  }

  /**
   * Invokes function `fi` with its arguments as words at `src[at..]` (two per value), and writes
   * the results back there as words: the call between two lang-vm instances.
   */
  invokeWords(fi: number, src: Int32Array, at: number, srcRefs: Refs): void {
    const f = this.funcs[fi] as FuncInstance;
    const { params, results } = f.type;
    if (this.fEntry[fi] === -1) {
      this.callOut(f, at, src, srcRefs);
      return;
    }
    // Funcref arguments and results: each side learns the functions behind the handles it receives.
    for (let i = 0; i < params.length; i++) {
      const h = src[at + 2 * i] as number;
      if (params[i] === FUNCREF && h !== 0) this.refs.set(h, funcOf(srcRefs, h));
    }
    const { outer, base, baseFsp, savedDepth } = this.callFrame(fi);
    this.I.set(src.slice(at, at + 2 * params.length), base);
    this.startFrame(fi, base, savedDepth);
    this.execute(fi, this.fEntry[fi] as number, base, baseFsp, savedDepth, outer, [], base, fi);
    src.set(this.I.slice(base, base + 2 * results.length), at);
    for (let i = 0; i < results.length; i++) {
      const h = src[at + 2 * i] as number;
      if (results[i] === FUNCREF && h !== 0) srcRefs.set(h, funcOf(this.refs, h));
    }
  }

  /** Continues a suspended call after `fuel` was topped up. */
  resume(): unknown {
    const s = this.suspended;
    if (s === null) throw new WasmError('nothing to resume: the instance is not suspended');
    this.suspended = null;
    this.fsp = s.fsp;
    this.depth = s.depth;
    const results = (this.funcs[s.funcIndex] as FuncInstance).type.results;
    return this.execute(s.cur, s.pc, s.fp, 0, 0, true, results, 0, s.funcIndex);
  }

  /** Drops a suspended call. */
  abort(): void {
    this.suspended = null;
    this.fsp = 0;
    this.depth = 0;
  }

  private execute(
    cur: number,
    pc: number,
    fp: number,
    baseFsp: number,
    savedDepth: number,
    outer: boolean,
    results: readonly ValType[],
    resultBase: number,
    entryFunc: number,
  ): unknown {
    this.active++;
    let status: number;
    try {
      status = this.runner(this, cur, pc, fp, baseFsp);
    } catch (e) {
      this.fsp = baseFsp;
      this.depth = savedDepth;
      if (outer) this.suspended = null;
      if (e instanceof RangeError && /call stack/i.test(e.message)) throw new Trap('call stack exhausted', 'host stack overflow');
      throw e;
    } finally {
      this.active--;
      // The compiled functions are shared by the module's instances: they must not keep this one alive.
      if (this.active === 0) this.tier?.release();
    }
    if (status === 1) {
      const s = this.suspended;
      if (!outer || s === null) {
        // Only the outermost call can be resumed: a host frame sits between this call and the outer one.
        this.suspended = null;
        this.fsp = baseFsp;
        this.depth = savedDepth;
        throw new FuelExhausted();
      }
      this.suspended = { ...s, funcIndex: entryFunc };
      throw new FuelExhausted();
    }
    this.fsp = baseFsp;
    this.depth = savedDepth;
    if (results.length === 0) return undefined;
    if (results.length === 1) return toJs(results[0] as ValType, this.I, resultBase, this.refs);
    return results.map((t, i) => toJs(t, this.I, resultBase + 2 * i, this.refs));
  }

  /** The execution loop, set by the instance: `run` (interpreter) or `runTiered` (JavaScript tier). */
  runner: (m: Machine, cur: number, pc: number, fp: number, baseFsp: number) => number = run;
}

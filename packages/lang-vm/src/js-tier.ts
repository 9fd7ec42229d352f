import * as bulk from './bulk.js';
import { Op, SAT_BASE } from './code.js';
import { liveLocalsAt, opSize } from './liveness.js';
import { Trap } from './errors.js';
import type { WasmFrame } from './errors.js';
import type { Machine } from './machine.js';
import * as num from './numeric.js';
import type { FuncInstance, Table } from './runtime.js';
import { FUEL_PER_PAGE } from './runtime.js';
import type { FuncType, ValType } from './types.js';
import type { CompiledModule } from './validator.js';
import { NUMERIC_SIGNATURES } from './validator.js';
import { F32, F64, I64 } from './types.js';

/**
 * The JavaScript tier: every defined function of a module becomes one JavaScript function (built
 * with `new Function`) from the same internal code the interpreter runs. Values live in JS locals:
 * i32, f32 (as raw bits, so NaN payloads survive) and references as int32, i64 as two int32
 * halves (`x`, `xh`), f64 as numbers. Wasm blocks become labelled blocks and loops, so V8 sees
 * structured code. Fuel is charged per basic block and checked at function entry and loop
 * headers, like the interpreter; when it runs out, each active function spills its locals and
 * operand stack into a deopt record and returns, and the machine rebuilds those frames as
 * interpreter frames — the suspended call then resumes in the interpreter (which calls back into
 * compiled code for new calls).
 */

/** A spilled JavaScript-tier frame: function, interpreter pc to resume at, slot types and values (two words each). */
export interface DeoptRecord {
  readonly fi: number;
  readonly pc: number;
  readonly types: readonly ValType[];
  readonly values: readonly number[];
}

export interface TierModule {
  /** Entry adaptors by function index: run function `fi` with its frame (arguments) at word `fp`. */
  readonly entries: readonly (((fp: number) => void) | undefined)[];
  enter(fuel: number, depth: number): void;
  fuel(): number;
  suspending(): boolean;
  /** The instance's outermost call is over: the shared functions let go of it (so it can be collected). */
  release(): void;
  /** Wasm frames (innermost first) of a trap thrown in compiled code, from the JavaScript stack. */
  framesOf(e: Error): WasmFrame[];
}

/** The compiled functions of a module, shared by its instances; `enter` binds them to one. */
interface SharedTier {
  readonly entries: readonly (((fp: number) => void) | undefined)[];
  enter(m: Machine, fuel: number, depth: number): void;
  fuel(): number;
  suspending(): boolean;
  release(m: Machine): void;
}

let nextModuleId = 0;
/** Lines before the body in `new Function` sources (the `function anonymous(...) {` header). */
let headerLines = -1;

function f64Literal(lo: number, hi: number): string {
  const x = num.f64FromBits(lo, hi);
  if (x !== x) return `W2F(${lo}, ${hi})`;
  if (Object.is(x, -0)) return '-0';
  return String(x);
}

/**
 * Functions the tier leaves to the interpreter: V8 parses and compiles JavaScript recursively and
 * keeps every JS local in its frame, so a wasm function nested deeper than `maxNesting` blocks or
 * with more than `maxSlots` values in its frame would overflow the host stack when compiled or
 * called. The interpreter runs those without host recursion (V8's own wasm engine accepts them).
 */
export const TIER_LIMITS = { maxNesting: 200, maxSlots: 4000 } as const;
const MAX_EXPR_DEPTH = 16;
/** Functions of at least this many words of internal code get their outermost loops outlined. */
const OUTLINE_MIN_WORDS = 300;

/** Whether each defined function (by function index) fits the tier's limits. */
function tierFits(m: Machine, maxNesting: number, maxSlots: number): Set<number> {
  const { funcs, structure } = m.compiled;
  const fits = new Set<number>();
  let s = 0;
  for (const f of funcs) {
    let depth = 0;
    let deepest = 0;
    while (s < structure.length && (structure[s] as number) < f.entry) s += 3;
    for (; s < structure.length && (structure[s] as number) < f.codeEnd; s += 3) {
      const kind = structure[s + 1] as number;
      if (kind === 1 || kind === 2 || kind === 3) deepest = Math.max(deepest, ++depth);
      else if (kind === 5) depth--;
    }
    if (deepest <= maxNesting && f.frameWords >> 1 <= maxSlots) fits.add(f.index);
  }
  return fits;
}

/**
 * Compiles the module's functions that fit the tier (see TIER_LIMITS); the rest run on the
 * interpreter. Returns undefined when V8 cannot compile even the smaller set (the whole instance
 * then runs on the interpreter).
 */
export function compileTier(m: Machine): TierModule | undefined {
  let compiled = cache.get(m.compiled);
  if (compiled === undefined) {
    compiled = null;
    for (const [nesting, slots] of [[TIER_LIMITS.maxNesting, TIER_LIMITS.maxSlots], [40, 1000]] as const) {
      const fits = tierFits(m, nesting, slots);
      if (fits.size === 0) break;
      try {
        compiled = compileFunctions(m, fits);
        break;
      } catch (e) {
        // The host stack ran out while V8 compiled the source: retry with a stricter cut.
        if (!(e instanceof RangeError)) throw e;
      }
    }
    cache.set(m.compiled, compiled);
  }
  return compiled === null ? undefined : compiled(m);
}

/** The tier of each module, compiled once: a factory that binds the compiled functions to one instance's machine. */
const cache = new WeakMap<CompiledModule, ((m: Machine) => TierModule) | null>();

function compileFunctions(m: Machine, fits: ReadonlySet<number>): (m: Machine) => TierModule {
  const c = m.compiled;
  const { code, structure, siteStacks } = c;
  const info = c.info;
  const id = nextModuleId++;
  const lines: string[] = [];
  /** Per generated line: [function index, wasm byte offset] or undefined. */
  const lineInfo: ([number, number] | undefined)[] = [];
  /** Where `emit` writes: the module's lines, or the buffer of a loop being outlined (see `Region`). */
  let sink: { lines: string[]; info: ([number, number] | undefined)[] } = { lines, info: lineInfo };
  const emit = (s: string, fi = -1, pc = -1) => {
    sink.lines.push(s);
    sink.info.push(fi >= 0 ? [fi, pc >= 0 ? m.offsetOf(pc) : -1] : undefined);
  };
  /** Words of the writeback buffers of outlined loops (XI: int32 words, XF: f64). */
  let maxOut = 0;
  const constants: string[] = [];
  const typeList = (ts: readonly number[]) => {
    constants.push(`var TL${constants.length} = [${ts.join(',')}];`);
    return `TL${constants.length - 1}`;
  };
  let sIdx = 0;
  // Tail calls: the caller sets TC (callee index + 1) and its arguments in TA, and returns; whoever
  // called the caller runs the callee from a loop (tcall), so the JavaScript stack does not grow.
  const tailCallers = new Set(c.funcs.filter((f) => f.tailCalls && fits.has(f.index)).map((f) => f.index));
  const hasTail = tailCallers.size > 0;
  const refFuncs = new Set<number>();
  const maxValues = info.types.reduce((n, t) => Math.max(n, t.params.length, t.results.length), 8);

  // Loops are outlined only in functions entered a few times (see coldFunctions).
  const cold = coldFunctions(c, fits);
  for (const f of c.funcs) {
    const fi = f.index;
    if (!fits.has(fi)) continue;
    const type = info.types[f.typeIndex] as FuncType;
    const nLocals = f.localTypes.length;
    const ty: number[] = [...f.localTypes];
    const V = (w: number) => {
      const k = w >> 1;
      return k < nLocals ? `l${k}` : `s${k - nLocals}`;
    };
    const Vh = (w: number) => `${V(w)}h`;
    const maxSlots = (f.frameWords >> 1) - nLocals;
    const params = type.params.map((t, i) => (t === I64 ? `l${i}, l${i}h` : `l${i}`)).join(', ');
    // `d`: this frame's call depth (the caller's plus one), checked against the cap at entry.
    emit(`function w${fi}(d${params === '' ? '' : ', '}${params}) {`);
    const decl: string[] = [];
    for (let i = type.params.length; i < nLocals; i++) decl.push(f.localTypes[i] === I64 ? `l${i} = 0, l${i}h = 0` : `l${i} = 0`);
    for (let i = 0; i < type.params.length; i++) if (f.localTypes[i] !== I64) decl.push(`l${i}h = 0`);
    for (let i = 0; i < maxSlots; i++) decl.push(`s${i} = 0, s${i}h = 0`);
    if (decl.length > 0) emit(`let ${decl.join(', ')};`);
    // The memory's DataView in a local (V8 keeps it in a register): reloaded after whatever may grow the memory.
    // Fuel in a local too, written back to FUEL where others read it: before calls and returns, at
    // checks that refill, and (by the handler below) when a trap unwinds the function.
    emit(`let dv = DV, fuel = FUEL;`);
    emit('try {');
    emit(`if (d > MAXD) trapStack();`, fi, f.entry);

    // Where a spill may happen (function entry and loop headers, the return point of every call):
    // the locals live there. A dead one is spilled as zero (see liveness.ts).
    const spillPoints: number[] = [];
    for (let p = f.entry; p < f.codeEnd; p += opSize(code, p)) {
      const o = code[p] as number;
      if (o === Op.FUEL_CHECK) spillPoints.push(p);
      else if (o === Op.CALL || o === Op.CALL_INDIRECT) spillPoints.push(p + opSize(code, p));
    }
    const live = liveLocalsAt(code, f.entry, f.codeEnd, nLocals, spillPoints);
    /** Spills the live locals and the operand stack at `site` into a deopt record (the interpreter resumes at `pc`). */
    const spill = (pc: number, site: number) => {
      const stack = siteStacks[site] as readonly ValType[];
      const types = [...f.localTypes, ...stack];
      // Per slot: 0 dead (spilled as zero), 1 one word (the high one zero), 2 two words.
      const layout: number[] = [];
      const args: string[] = [];
      types.forEach((t, k) => {
        if (k < nLocals && live !== undefined && !live(pc, k)) {
          layout.push(0);
          return;
        }
        const n = k < nLocals ? `l${k}` : `s${k - nLocals}`;
        // f64 as its two words: a JavaScript array of doubles would canonicalize a NaN's payload.
        layout.push(t === I64 || t === F64 ? 2 : 1);
        args.push(t === I64 ? `${n}, ${n}h` : t === F64 ? `F2W(${n}), R[1]` : n);
      });
      // The site's constants in a table and only the live values as arguments: the cold path stays
      // short in bytecode, so small functions stay under V8's inlining budget.
      const tl = typeList(types);
      if (args.length > 64) {
        // Many live values: an array (on the heap) rather than arguments (on the host stack, which a deep recursion may have used up).
        const vals = layout.map((x) => (x === 0 ? '0, 0' : x === 1 ? `${args.shift() as string}, 0` : (args.shift() as string)));
        return `FUEL = fuel; spill(${fi}, ${pc}, ${tl}, [${vals.join(', ')}]); return 0;`;
      }
      const sp = `SP${constants.length}`;
      constants.push(`var ${sp} = [${fi}, ${pc}, ${tl}, [${layout.join(',')}]];`);
      return `FUEL = fuel; SP(${sp}${args.length > 0 ? ', ' : ''}${args.join(', ')}); return 0;`;
    };
    const results = type.results;
    const returnFrom = (from: number) => {
      if (results.length === 0) return 'FUEL = fuel; return;';
      if (results.length === 1) {
        const r = results[0] === I64 ? `RH = ${Vh(from)}; ` : '';
        return `FUEL = fuel; ${r}return ${V(from)};`;
      }
      // f64 results go through a Float64Array: a JavaScript array would canonicalize a NaN's payload.
      const sets = results.map((t, i) => (t === F64 ? `MVF[${i}] = ${V(from + 2 * i)};` : `MV[${2 * i}] = ${V(from + 2 * i)};${t === I64 ? ` MV[${2 * i + 1}] = ${Vh(from + 2 * i)};` : ''}`));
      return `${sets.join(' ')} FUEL = fuel; return;`;
    };
    const moves = (from: number, to: number, nwords: number) => {
      const out: string[] = [];
      for (let w = 0; w < nwords; w += 2) {
        out.push(`${V(to + w)} = ${V(from + w)};`);
        if (ty[(from + w) >> 1] === I64) out.push(`${Vh(to + w)} = ${Vh(from + w)};`);
        ty[(to + w) >> 1] = ty[(from + w) >> 1] as number;
      }
      return out.join(' ');
    };
    // Forwarding: within a basic block, a stack slot written by local.get, i32.const or a pure i32
    // op on forwarded operands holds an expression over locals instead of a statement; the
    // consumer inlines it. Flushed at every control point and before a local it reads changes.
    // A pending expression of slot k reads locals (its `deps`) and, when `self`, the variable of slot
    // k itself (the first operand of the op that produced it, left in place): nothing writes that
    // variable before slot k's value is consumed, as the stack is only pushed above it.
    const pend = new Map<number, { expr: string; deps: ReadonlySet<number>; depth?: number; self?: boolean; cond?: string }>();
    const flush = () => {
      let out = '';
      for (const [slot, p] of pend) out += `s${slot - nLocals} = ${p.expr}; `;
      pend.clear();
      return out;
    };
    const flushReaders = (local: number) => {
      let out = '';
      for (const [slot, p] of pend) {
        if (p.deps.has(local)) {
          out += `s${slot - nLocals} = ${p.expr}; `;
          pend.delete(slot);
        }
      }
      return out;
    };
    /** The condition "slot w is not zero": a forwarded comparison's own condition, else a test of the value. */
    const condOf = (w: number) => {
      const c = pend.get(w >> 1)?.cond;
      const e = rd(w);
      return c !== undefined ? `(${c})` : `${e} !== 0`;
    };
    const rd = (w: number) => {
      const p = pend.get(w >> 1);
      if (p === undefined) return V(w);
      pend.delete(w >> 1);
      return /^[\w$]+$/.test(p.expr) ? p.expr : `(${p.expr})`;
    };
    const open: { label: string; kind: number; target: number }[] = [{ label: `F${fi}`, kind: 1, target: f.codeEnd - 3 }];
    let labelN = 0;
    /**
     * An outermost loop of a large function, compiled as a function of its own (`w<fi>_r<n>`): V8
     * optimizes and deoptimizes it on its own, so a phase of the program that reaches code without
     * type feedback elsewhere in the function does not throw the loop's optimized code away (and
     * recompile the whole function). The variables the loop uses come in as arguments; every exit
     * (falling out of the loop, a branch out, a return, a stop for lack of fuel) writes them to the
     * XI/XF buffers with their types at that exit and returns its number; the caller reads them back
     * and carries the exit out (the branch, the return, the spill) in its own frame.
     */
    interface Region {
      readonly base: number;
      readonly name: string;
      readonly lines: string[];
      readonly info: ([number, number] | undefined)[];
      /** Per exit: the slot types there and the statement the caller runs for it. */
      readonly exits: { ty: number[]; stmt: string }[];
      /** The slot types where the loop starts. */
      readonly entryTy: readonly number[];
    }
    let region: Region | undefined;
    let regionN = 0;
    const outline = cold.has(fi) && !f.tailCalls && f.codeEnd - f.entry >= OUTLINE_MIN_WORDS;
    /** Inside an outlined loop: leave it by exit `stmt` (run by the caller). */
    const exitWith = (stmt: string) => {
      const r = region as Region;
      r.exits.push({ ty: [...ty], stmt });
      return `{ @@WB${r.exits.length}@@ return ${r.exits.length}; }`;
    };
    const jump = (target: number) => {
      for (let i = open.length - 1; i >= 0; i--) {
        const o = open[i] as { label: string; kind: number; target: number };
        if (o.target === target) {
          const stmt = o.kind === 2 ? `continue ${o.label};` : `break ${o.label};`;
          return region !== undefined && i < region.base ? exitWith(stmt) : stmt;
        }
      }
      throw new Error(`lang-vm internal error: no construct for branch target ${target} in function ${fi}`);
    };
    /** Ends the outlined loop: its function goes after this one, the call and the exits' dispatch here. */
    const closeRegion = () => {
      const r = region as Region;
      region = undefined;
      sink = { lines, info: lineInfo };
      r.exits.unshift({ ty: [...ty], stmt: '' });
      const text = r.lines.join('\n');
      const names = [...new Set(text.match(/\b[ls]\d+h?\b/g) ?? [])].sort();
      // Only the variables the loop assigns go back (the emitter writes them only as `v = ...`).
      const assigned = new Set([...text.matchAll(/\b([ls]\d+h?) = (?!=)/g)].map((x) => x[1] as string));
      const out = names.filter((n) => assigned.has(n));
      maxOut = Math.max(maxOut, out.length);
      const slotOf = (n: string) => {
        const k = Number(n.slice(1).replace('h', ''));
        return n[0] === 'l' ? k : nLocals + k;
      };
      const isF64 = (n: string, types: readonly number[]) => !n.endsWith('h') && (n[0] === 'l' ? f.localTypes[slotOf(n)] : types[slotOf(n)]) === F64;
      const writeBack = (types: readonly number[]) =>
        `FUEL = fuel; ${out.map((n, i) => (isF64(n, types) ? `XF[${i}] = ${n};` : `XI[${i}] = ${n};`)).join(' ')}`;
      const readBack = (types: readonly number[], locals: boolean) =>
        out
          .map((n, i) => ((n[0] === 'l') === locals ? (isF64(n, types) ? `${n} = XF[${i}];` : `${n} = XI[${i}];`) : ''))
          .filter((x) => x !== '')
          .join(' ');
      let body = r.lines.map((l) => l.replace(/@@WB(\d+)@@/g, (_, k: string) => writeBack((r.exits[Number(k)] as { ty: number[] }).ty)));
      body = [`function ${r.name}(fuel, d${names.length > 0 ? ', ' : ''}${names.join(', ')}) {`, `let dv = DV; fuel = fuel | 0; d = d | 0; ${names.map((n) => (isF64(n, r.entryTy) ? `${n} = +${n};` : `${n} = ${n} | 0;`)).join(' ')}`, 'try {', ...body, `${writeBack((r.exits[0] as { ty: number[] }).ty)} return 0;`,
        '} catch (e) { if (!TRAPPED) { FUEL = fuel; TRAPPED = true; } throw e; }', '}'];
      regionLines.push(...body);
      regionInfo.push(undefined, undefined, undefined, ...r.info, undefined, undefined, undefined);
      const cases = r.exits.map((x, k) => `case ${k}: ${readBack(x.ty, false)} ${k === 0 ? 'break;' : x.stmt}`);
      emit(`FUEL = fuel; { const rx = ${r.name}(fuel, d${names.length > 0 ? ', ' : ''}${names.join(', ')}); fuel = FUEL; dv = DV; ${readBack([], true)} switch (rx) { ${cases.join(' ')} } }`);
    };
    const regionLines: string[] = [];
    const regionInfo: ([number, number] | undefined)[] = [];
    /** A statement that leaves the function (a return, a spill): inside an outlined loop, an exit to the caller. */
    const leave = (stmt: string) => (region !== undefined ? exitWith(stmt) : stmt);
    emit(`F${fi}: {`);
    while (sIdx < structure.length && (structure[sIdx] as number) < f.entry) sIdx += 3;

    /** Whether the loop whose opening event was just read contains another loop. */
    const nestsLoop = () => {
      let depth = 0;
      for (let e = sIdx; e < structure.length; e += 3) {
        const kind = structure[e + 1] as number;
        if (kind === 2) return true;
        if (kind === 1 || kind === 3) depth++;
        else if (kind === 5 && --depth < 0) return false;
      }
      return false;
    };
    /** Opens and closes the JavaScript constructs of the structure events at `at`, in emission order. */
    const structureAt = (at: number) => {
      while (sIdx < structure.length && structure[sIdx] === at) {
        const kind = structure[sIdx + 1] as number;
        const target = structure[sIdx + 2] as number;
        sIdx += 3;
        const pre = flush();
        if (pre !== '') emit(pre);
        if (kind === 1 || kind === 3) {
          const label = `L${fi}_${labelN++}`;
          open.push({ label, kind, target });
          emit(`${label}: {`);
        } else if (kind === 2) {
          const label = `L${fi}_${labelN++}`;
          if (outline && region === undefined && open.filter((o) => o.kind === 2).length === 1 && nestsLoop()) {
            region = { base: open.length, name: `w${fi}_r${regionN++}`, lines: [], info: [], exits: [], entryTy: [...ty] };
            sink = region;
          }
          open.push({ label, kind, target });
          emit(`${label}: for (;;) {`);
        } else if (kind === 4) emit('} else {');
        else {
          const o = open.pop() as { kind: number };
          emit(o.kind === 2 ? 'break; }' : o.kind === 3 ? '} }' : '}');
          if (region !== undefined && open.length === region.base) closeRegion();
        }
      }
    };
    /** Whether the instruction at `at` is a conditional branch on word `w`, with no construct opening or closing before it. */
    const branchesOn = (at: number, w: number) => {
      const o = code[at] as number;
      return (o === Op.BR_IF || o === Op.BR_IF_MOVE || o === Op.IF) && code[at + 1] === w && structure[sIdx] !== at;
    };
    let pc = f.entry;
    const end = f.codeEnd - 3; // the final RETURN
    while (pc < end) {
      // Structure events at this pc come first, in emission order.
      structureAt(pc);
      const op = code[pc] as number;
      const a1 = code[pc + 1] as number;
      const t = V(a1);
      const th = Vh(a1);
      const u = V(a1 + 2);
      const uh = Vh(a1 + 2);
      const k = a1 >> 1;
      let s = '';
      let size = 2;
      const setTy = (tt: number) => {
        ty[k] = tt;
      };
      // Instructions that read forwarded operands themselves; all others see them flushed first.
      let pre = '';
      const forwarding =
        op === Op.MOV || op === Op.CONST32 || op === Op.BR_IF || op === Op.BR_IF_MOVE || op === Op.IF || op === Op.BR_TABLE || (op >= 0x28 && op <= 0x3e) || (op >= 0x45 && op <= 0xcc && op !== 0xa7);
      if (!forwarding) pre = flush();
      switch (op) {
        case Op.FUEL:
          // `| 0`: fuel starts below 2^30 and no path between two checks charges 2^30, so this never
          // wraps; it tells V8 so (no overflow check per block).
          s = `fuel = (fuel - ${a1}) | 0;`;
          size = 3;
          break;
        case Op.FUEL_CHECK:
          s = `if (fuel <= 0) { FUEL = fuel; if (!refill()) { ${leave(spill(pc, code[pc + 2] as number))} } fuel = FUEL; } fuel = (fuel - ${a1}) | 0;`;
          size = 3;
          break;
        case Op.UNREACHABLE:
          s = `trap('unreachable');`;
          size = 1;
          break;
        case Op.JMP:
          s = jump(a1);
          break;
        case Op.BR:
          s = `${moves(code[pc + 2] as number, code[pc + 3] as number, code[pc + 4] as number)} ${jump(a1)}`;
          size = 5;
          break;
        case Op.BR_IF: {
          const cond = condOf(a1);
          s = `${flush()}if (${cond}) ${jump(code[pc + 2] as number)}`;
          size = 3;
          break;
        }
        case Op.BR_IF_MOVE: {
          const saved = [...ty];
          const cond = condOf(a1);
          s = `${flush()}if (${cond}) { ${moves(code[pc + 3] as number, code[pc + 4] as number, code[pc + 5] as number)} ${jump(code[pc + 2] as number)} }`;
          ty.splice(0, ty.length, ...saved);
          size = 6;
          break;
        }
        case Op.BR_TABLE: {
          const n = code[pc + 2] as number;
          const saved = [...ty];
          const cases: string[] = [];
          for (let i = 0; i <= n; i++) {
            const e = pc + 3 + 4 * i;
            const body = `${moves(code[e + 1] as number, code[e + 2] as number, code[e + 3] as number)} ${jump(code[e] as number)}`;
            ty.splice(0, ty.length, ...saved);
            cases.push(i < n ? `case ${i}: ${body}` : `default: ${body}`);
          }
          const cond = rd(a1);
          s = `${flush()}switch (${cond}) { ${cases.join(' ')} }`;
          size = 3 + 4 * (n + 1);
          break;
        }
        case Op.IF: {
          const cond = condOf(a1);
          s = `${flush()}if (${cond}) {`;
          size = 3;
          break;
        }
        case Op.RETURN:
          s = leave(returnFrom(a1));
          size = 3;
          break;
        case Op.CALL:
        case Op.CALL_INDIRECT: {
          const indirect = op === Op.CALL_INDIRECT;
          const argOff = indirect ? (code[pc + 4] as number) : (code[pc + 2] as number);
          const site = indirect ? (code[pc + 5] as number) : (code[pc + 3] as number);
          size = indirect ? 6 : 4;
          const sig = indirect ? (info.types[a1] as FuncType) : (m.funcs[a1] as FuncInstance).type;
          const args = sig.params.map((pt, i) => (pt === I64 ? `${V(argOff + 2 * i)}, ${Vh(argOff + 2 * i)}` : V(argOff + 2 * i))).join(', ');
          const take = (call: string) => {
            if (sig.results.length === 0) return `${call};`;
            if (sig.results.length === 1) return `${V(argOff)} = ${call};${sig.results[0] === I64 ? ` ${Vh(argOff)} = RH;` : ''}`;
            return `${call}; ${sig.results.map((rt, i) => (rt === F64 ? `${V(argOff + 2 * i)} = MVF[${i}];` : `${V(argOff + 2 * i)} = MV[${2 * i}];${rt === I64 ? ` ${Vh(argOff + 2 * i)} = MV[${2 * i + 1}];` : ''}`)).join(' ')}`;
          };
          // Host calls go through the machine's value stack: arguments and results as words.
          const viaStack = (fn: string) => {
            const put = sig.params.map((pt, i) => (pt === F64 ? `F64V[(at >> 1) + ${i}] = ${V(argOff + 2 * i)};` : `I[at + ${2 * i}] = ${V(argOff + 2 * i)};${pt === I64 ? ` I[at + ${2 * i + 1}] = ${Vh(argOff + 2 * i)};` : ''}`));
            const get = sig.results.map((rt, i) => (rt === F64 ? `${V(argOff + 2 * i)} = F64V[(at >> 1) + ${i}];` : `${V(argOff + 2 * i)} = I[at + ${2 * i}];${rt === I64 ? ` ${Vh(argOff + 2 * i)} = I[at + ${2 * i + 1}];` : ''}`));
            return `{ const at = m.stackTop; ${put.join(' ')} FUEL = fuel; hostCall(${fn}, at, d); fuel = FUEL; ${get.join(' ')} dv = DV; }`;
          };
          const trampoline = hasTail && (indirect || tailCallers.has(a1)) ? ` while (TC !== 0) { ${take('tcall(d + 1)')} }` : '';
          const after = `${trampoline} fuel = FUEL; if (SUSP) { ${leave(spill(pc + size, site))} } dv = DV;`;
          if (!indirect) {
            s = !fits.has(a1) ? viaStack(`m.funcs[${a1}]`) : `FUEL = fuel; ${take(`w${a1}(d + 1${args === '' ? '' : ', '}${args})`)} ${after}`;
          } else {
            const tid = m.typeIdOfType[a1] as number;
            s = `{ const tb = T${code[pc + 2]}.fns; const ix = ${V(code[pc + 3] as number)} >>> 0; if (ix >= tb.length) trapUndefined(ix); const fn = tb[ix]; if (fn === undefined) trap('uninitialized element'); ` +
              `if (fn.typeId !== ${tid}) trap('indirect call type mismatch'); ` +
              `const w = fn.owner === m ? WT[fn.index] : undefined; if (w !== undefined) { FUEL = fuel; ${take(`w(d + 1${args === '' ? '' : ', '}${args})`)} ${after} } else ${viaStack('fn')} }`;
          }
          sig.results.forEach((rt, i) => (ty[(argOff >> 1) + i] = rt));
          break;
        }
        case Op.RETURN_CALL:
        case Op.RETURN_CALL_INDIRECT: {
          const indirect = op === Op.RETURN_CALL_INDIRECT;
          const argOff = indirect ? (code[pc + 4] as number) : (code[pc + 2] as number);
          size = indirect ? 5 : 3;
          const sig = indirect ? (info.types[a1] as FuncType) : (m.funcs[a1] as FuncInstance).type;
          const toTA: string[] = [];
          sig.params.forEach((pt, i) => {
            if (pt === F64) toTA.push(`TAF[${i}] = ${V(argOff + 2 * i)};`);
            else toTA.push(`TA[${2 * i}] = ${V(argOff + 2 * i)};${pt === I64 ? ` TA[${2 * i + 1}] = ${Vh(argOff + 2 * i)};` : ''}`);
          });
          const tailTo = (g: string) => `${toTA.join(' ')} TC = ${g} + 1; FUEL = fuel; return${results.length === 1 ? ' 0' : ''};`;
          // A host function or another instance's (or one left to the interpreter): call it, then return its results.
          const callThenReturn = (fn: string) => {
            const put = sig.params.map((pt, i) => (pt === F64 ? `F64V[(at >> 1) + ${i}] = ${V(argOff + 2 * i)};` : `I[at + ${2 * i}] = ${V(argOff + 2 * i)};${pt === I64 ? ` I[at + ${2 * i + 1}] = ${Vh(argOff + 2 * i)};` : ''}`));
            const get = sig.results.map((rt, i) => (rt === F64 ? `${V(argOff + 2 * i)} = F64V[(at >> 1) + ${i}];` : `${V(argOff + 2 * i)} = I[at + ${2 * i}];${rt === I64 ? ` ${Vh(argOff + 2 * i)} = I[at + ${2 * i + 1}];` : ''}`));
            return `{ const at = m.stackTop; ${put.join(' ')} FUEL = fuel; hostCall(${fn}, at, d); fuel = FUEL; ${get.join(' ')} } ${returnFrom(argOff)}`;
          };
          if (!indirect) s = fits.has(a1) ? tailTo(String(a1)) : callThenReturn(`m.funcs[${a1}]`);
          else {
            const tid = m.typeIdOfType[a1] as number;
            s = `{ const tb = T${code[pc + 2]}.fns; const ix = ${V(code[pc + 3] as number)} >>> 0; if (ix >= tb.length) trapUndefined(ix); const fn = tb[ix]; if (fn === undefined) trap('uninitialized element'); ` +
              `if (fn.typeId !== ${tid}) trap('indirect call type mismatch'); ` +
              `if (fn.owner === m && WT[fn.index] !== undefined) { ${tailTo('fn.index')} } else { ${callThenReturn('fn')} } }`;
          }
          break;
        }
        case Op.MOV: {
          const src = code[pc + 2] as number;
          const mt = code[pc + 3] as number;
          size = 4;
          setTy(mt);
          if (mt === I64) {
            s = `${flush()}${t} = ${V(src)}; ${th} = ${Vh(src)};`;
          } else if (k < nLocals) {
            // local.set / local.tee: the slot keeps the value, now readable as the local.
            const e = rd(src);
            s = `${flushReaders(k)}${t} = ${e};`;
            pend.set(src >> 1, { expr: t, deps: new Set([k]) });
          } else {
            s = '';
            pend.set(k, { expr: V(src), deps: new Set([src >> 1]) });
          }
          break;
        }
        case Op.CONST32: {
          const v = code[pc + 2] as number;
          s = '';
          pend.set(k, { expr: String(v), deps: new Set() });
          setTy(0x7f);
          size = 3;
          break;
        }
        case Op.CONST64: {
          const lo = code[pc + 2] as number;
          const hi = code[pc + 3] as number;
          const ct = code[pc + 4] as number;
          s = ct === I64 ? `${t} = ${lo}; ${th} = ${hi};` : `${t} = ${f64Literal(lo, hi)};`;
          setTy(ct);
          size = 5;
          break;
        }
        case Op.SELECT: {
          const st = code[pc + 2] as number;
          // Integer words without a branch (a select's condition is often data, which a branch would mispredict).
          if (st === F64) s = `if (${V(a1 + 4)} === 0) { ${t} = ${u}; }`;
          else {
            const mask = `-((${V(a1 + 4)} !== 0) | 0)`;
            s = st === I64
              ? `{ const mk = ${mask}; ${t} = ${u} ^ ((${t} ^ ${u}) & mk); ${th} = ${uh} ^ ((${th} ^ ${uh}) & mk); }`
              : `${t} = ${u} ^ ((${t} ^ ${u}) & ${mask});`;
          }
          setTy(st);
          size = 3;
          break;
        }
        case Op.GLOBAL_GET:
        case Op.GLOBAL_SET: {
          const g = `G${code[pc + 2]}`;
          const gt = code[pc + 3] as number;
          if (op === Op.GLOBAL_GET) {
            s = gt === F64 ? `${t} = W2F(${g}[0], ${g}[1]);` : `${t} = ${g}[0];${gt === I64 ? ` ${th} = ${g}[1];` : ''}`;
            setTy(gt);
          } else s = gt === F64 ? `${g}[0] = F2W(${t}); ${g}[1] = R[1];` : `${g}[0] = ${t};${gt === I64 ? ` ${g}[1] = ${th};` : ''}`;
          size = 4;
          break;
        }
        case Op.GLOBAL_GET_REF:
          s = `${t} = m.globalGetRef(${code[pc + 2]});`;
          setTy(0x70);
          size = 4;
          break;
        case Op.GLOBAL_SET_REF:
          s = `m.globalSetRef(${code[pc + 2]}, ${t});`;
          size = 4;
          break;
        case Op.MEMORY_SIZE:
          s = `${t} = (MS / 65536) | 0;`;
          setTy(0x7f);
          break;
        case Op.MEMORY_GROW:
          s = `FUEL = fuel; ${t} = growMem(${t}); fuel = FUEL; dv = DV;`;
          break;
        case Op.MEMORY_FILL:
          s = `B.memoryFill(m, ${t}, ${u}, ${V(a1 + 4)}); fuel -= charged();`;
          break;
        case Op.MEMORY_COPY:
          s = `B.memoryCopy(m, ${t}, ${u}, ${V(a1 + 4)}); fuel -= charged();`;
          break;
        case Op.MEMORY_INIT:
          s = `B.memoryInit(m, ${code[pc + 2]}, ${t}, ${u}, ${V(a1 + 4)}); fuel -= charged();`;
          size = 3;
          break;
        case Op.DATA_DROP:
          s = `m.datas[${a1}] = null;`;
          break;
        case Op.TABLE_GET:
          s = `${t} = B.tableGet(m, ${code[pc + 2]}, ${t});`;
          setTy(info.tables[code[pc + 2] as number]?.elem ?? 0x70);
          size = 3;
          break;
        case Op.TABLE_SET:
          s = `B.tableSet(m, ${code[pc + 2]}, ${t}, ${u});`;
          size = 3;
          break;
        case Op.TABLE_SIZE:
          s = `${t} = T${code[pc + 2]}.elems.length;`;
          setTy(0x7f);
          size = 3;
          break;
        case Op.TABLE_GROW:
          s = `${t} = B.tableGrow(m, ${code[pc + 2]}, ${t}, ${u} >>> 0); fuel -= charged();`;
          setTy(0x7f);
          size = 3;
          break;
        case Op.TABLE_FILL:
          s = `B.tableFill(m, ${code[pc + 2]}, ${t}, ${u}, ${V(a1 + 4)}); fuel -= charged();`;
          size = 3;
          break;
        case Op.TABLE_COPY:
          s = `B.tableCopy(m, ${code[pc + 2]}, ${code[pc + 3]}, ${t}, ${u}, ${V(a1 + 4)}); fuel -= charged();`;
          size = 4;
          break;
        case Op.TABLE_INIT:
          s = `B.tableInit(m, ${code[pc + 2]}, ${code[pc + 3]}, ${t}, ${u}, ${V(a1 + 4)}); fuel -= charged();`;
          size = 4;
          break;
        case Op.ELEM_DROP:
          s = `m.elems[${a1}] = null;`;
          break;
        case Op.REF_IS_NULL:
          s = `${t} = ${t} === 0 ? 1 : 0;`;
          setTy(0x7f);
          break;
        case Op.REF_FUNC:
          // Handles differ per instance, the source does not: it is compiled once per module.
          refFuncs.add(code[pc + 2] as number);
          s = `${t} = RF${code[pc + 2]};`;
          setTy(0x70);
          size = 3;
          break;
        default: {
          if (op >= 0x28 && op <= 0x3e) {
            const value = op >= 0x36 ? rd(a1 + 2) : u;
            const addr = rd(a1);
            s = memoryOp(op, t, th, value, uh, (code[pc + 2] as number) >>> 0, addr);
            if (op <= 0x35) setTy(op === 0x2b ? F64 : op === 0x29 || op >= 0x30 ? I64 : 0x7f);
            size = 3;
          } else {
            const binary = (NUMERIC_SIGNATURES[op]?.[1] ?? 0) !== 0;
            if (!readsThrough(op)) {
              // The statement reads the operand variables themselves: materialize them.
              for (const slot of binary ? [k, k + 1] : [k]) {
                const p = pend.get(slot);
                if (p !== undefined) {
                  pre += `s${slot - nLocals} = ${p.expr}; `;
                  pend.delete(slot);
                }
              }
            }
            const pa = pend.get(k);
            const pb = binary ? pend.get(k + 1) : undefined;
            const r = numericOp(op, t, th, u, uh, rd(a1), binary ? rd(a1 + 2) : u);
            if (r === undefined) throw new Error(`lang-vm internal error: no JavaScript form for internal opcode 0x${op.toString(16)}`);
            setTy(r[1]);
            const depth = 1 + Math.max(pa?.depth ?? 0, pb?.depth ?? 0);
            // Forwarded expressions nest at most MAX_EXPR_DEPTH deep: V8 parses JavaScript recursively.
            // The second operand must not read its own slot's variable (that slot is free once this op is done).
            if (PURE.has(op) && r[2] !== undefined && (!binary || (pb !== undefined && pb.self !== true)) && depth <= MAX_EXPR_DEPTH) {
              pend.set(k, { expr: r[2], deps: new Set([...(pa?.deps ?? []), ...(pb?.deps ?? [])]), depth, self: pa === undefined || pa.self === true, cond: r[3] });
              s = '';
            } else if (r[3] !== undefined && (PURE.has(op) || (op >= 0x50 && op <= 0x5a)) && depth <= MAX_EXPR_DEPTH && branchesOn(pc + size, a1)) {
              // A comparison that the next instruction branches on, whose operands could not be
              // forwarded (an i64 comparison, or one whose second operand is a slot's variable): the
              // branch tests the condition itself (the operands' variables are still intact there)
              // instead of a materialized 0/1 tested again.
              pend.set(k, { expr: r[2] as string, deps: new Set(), depth, cond: r[3] });
              s = '';
            } else s = r[0];
          }
        }
      }
      if (pre !== '' || s !== '') emit(pre + s, fi, pc);
      if (size !== opSize(code, pc)) throw new Error(`lang-vm internal error: instruction 0x${op.toString(16)} at ${pc} has ${size} words, not ${opSize(code, pc)}`);
      pc += size;
    }
    const tail = flush();
    if (tail !== '') emit(tail);
    // Constructs that open at the final RETURN too (a block no instruction of which emits code) open and close here.
    structureAt(pc);
    emit('}');
    emit(returnFrom(code[end + 1] as number), fi, end);
    // A trap unwinding the function: the innermost frame's fuel is the instance's (callers wrote theirs before the call).
    emit('} catch (e) { if (!TRAPPED) { FUEL = fuel; TRAPPED = true; } throw e; }');
    emit('}');
    // The entry adaptor: arguments from the machine's value stack at fp, results back there.
    const reads = type.params.map((pt, i) => (pt === F64 ? `F64V[(fp >> 1) + ${i}]` : pt === I64 ? `I[fp + ${2 * i}], I[fp + ${2 * i + 1}]` : `I[fp + ${2 * i}]`));
    let store = '';
    if (results.length === 1) {
      const rt = results[0];
      store = rt === F64 ? 'F64V[fp >> 1] = r;' : `I[fp] = r;${rt === I64 ? ' I[fp + 1] = RH;' : ''}`;
    } else if (results.length > 1) {
      store = results.map((rt, i) => (rt === F64 ? `F64V[(fp >> 1) + ${i}] = MVF[${i}];` : `I[fp + ${2 * i}] = MV[${2 * i}]; I[fp + ${2 * i + 1}] = MV[${2 * i + 1}];`)).join(' ');
    }
    const loop = hasTail ? ' while (TC !== 0) r = tcall(D + 1);' : '';
    emit(`function e${fi}(fp) { let r = w${fi}(D + 1${reads.length > 0 ? ', ' : ''}${reads.join(', ')});${loop} if (SUSP) return; ${store} }`);
    if (hasTail) {
      const fromTA = type.params.map((pt, i) => (pt === F64 ? `TAF[${i}]` : pt === I64 ? `TA[${2 * i}], TA[${2 * i + 1}]` : `TA[${2 * i}]`));
      emit(`function t${fi}(d) { return w${fi}(d${fromTA.length > 0 ? ', ' : ''}${fromTA.join(', ')}); }`);
    }
    lines.push(...regionLines);
    lineInfo.push(...regionInfo);
  }

  const nFuncs = info.funcTypes.length;
  const wt: string[] = [];
  const es: string[] = [];
  for (let i = 0; i < nFuncs; i++) {
    const defined = fits.has(i);
    wt.push(defined ? `w${i}` : 'undefined');
    es.push(defined ? `e${i}` : 'undefined');
  }
  const prologue = [
    "'use strict';",
    'const { i64Mul, i64DivS, i64DivU, i64RemS, i64RemU, i64Shl, i64ShrS, i64ShrU, i64Rotl, i64Rotr, i64Clz, i64Ctz, i64ToF32S, i64ToF32U, i64ToF64S, i64ToF64U,',
    '  i32DivS, i32DivU, i32RemS, i32RemU, ctz32, popcnt32, nearest, truncI32S, truncI32U, truncI64S, truncI64U, truncSatI32S, truncSatI32U, truncSatI64S, truncSatI64U,',
    '  f32FromBits: FN, f32ToBits: FB, f64FromBits: W2F, f64ToBits: F2W, R } = NUM;',
    // Multi-value results and tail-call arguments: words in Int32Arrays, f64 in Float64Arrays (NaN payloads survive).
    // The instance the compiled code runs for: the functions are compiled once per module and shared
    // by its instances, so V8's optimized code and type feedback carry over from one instance to the
    // next (as V8 shares a wasm module's machine code); `bind` switches them to an instance.
    'let m, I, F64V, MAXD;',
    `const MV = new Int32Array(${2 * maxValues}), MVF = new Float64Array(${maxValues});`,
    `const TA = new Int32Array(${2 * maxValues}), TAF = new Float64Array(${maxValues});`,
    `const XI = new Int32Array(${maxOut}), XF = new Float64Array(${maxOut});`,
    // FUEL stays a small integer (a Smi, never a boxed double) and is topped up from RESERVE at checks.
    'let FUEL = 0, RESERVE = 0, D = 0, SUSP = false, RH = 0, TC = 0, TRAPPED = false;',
    // D: the depth of the frame that entered compiled code (set by `enter`); compiled frames pass theirs down.
    'function tcall(d) { const g = TC - 1; TC = 0; return TT[g](d); }',
    'function setFuel(f) { FUEL = Math.min(f, 0x3fffffff); RESERVE = f - FUEL; }',
    'function refill() { while (FUEL <= 0 && RESERVE > 0) { const take = Math.min(RESERVE, 0x3fffffff); RESERVE -= take; FUEL += take; } return FUEL > 0; }',
    'let DV, MS = 0;',
    'function refresh() { const mm = m.memory; DV = mm.dv; MS = mm.u8.length; }',
    "function trap(kind) { throw new Trap(kind); }",
    "function trapStack() { throw new Trap('call stack exhausted'); }",
    "function trapUndefined(ix) { throw new Trap('undefined element', 'table index ' + ix); }",
    `function growMem(d) { const r = m.memory.growPages(d >>> 0); if (r >= 0) FUEL -= (d >>> 0) * ${FUEL_PER_PAGE}; refresh(); return r; }`,
    'function charged() { const c = m.charge; m.charge = 0; return c; }',
    'function spill(fi, pc, types, values) { SUSP = true; m.deopt.push({ fi, pc, types, values }); }',
    // A spill site: [function, pc, slot types, layout per slot (0 dead, 1 one word, 2 two words)] and the live words.
    'function SP(site, ...a) { const L = site[3], v = []; let j = 0; for (let i = 0; i < L.length; i++) { const k = L[i]; if (k === 0) v.push(0, 0); else if (k === 1) v.push(a[j++], 0); else v.push(a[j++], a[j++]); } spill(site[0], site[1], site[2], v); }',
    // A host call may run another instance of this module on the same functions: the caller's binding
    // and its suspension state come back afterwards.
    'function hostCall(f, at, d) { const mine = m, susp = SUSP, tc = TC; m.fuel = FUEL + RESERVE; m.depth = d; const top = m.stackTop; m.stackTop = at + 2 * (f.type.params.length + f.type.results.length) + 2;',
    // Another instance ran: the caller's fuel is its machine's, untouched by the callee (which may have trapped).
    '  try { m.callOut(f, at); } finally { if (m !== mine) { bind(mine); SUSP = susp; TC = tc; setFuel(mine.fuel); TRAPPED = false; } m.stackTop = top; }',
    '  setFuel(m.fuel); TRAPPED = false; refresh(); }',
    ...(info.globals.length > 0 ? [`let ${info.globals.map((_, i) => `G${i}`).join(', ')};`] : []),
    ...(refFuncs.size > 0 ? [`let ${[...refFuncs].map((fi) => `RF${fi}`).join(', ')};`] : []),
    ...(info.tables.length > 0 ? [`let ${info.tables.map((_, i) => `T${i}`).join(', ')};`] : []),
    `function unbind() { m = I = F64V = DV = undefined;${[...info.globals.map((_, i) => ` G${i} = undefined;`), ...[...refFuncs].map((fi) => ` RF${fi} = undefined;`), ...info.tables.map((_, i) => ` T${i} = undefined;`)].join('')} }`,
    'function bind(mm) {',
    '  m = mm; I = mm.I; F64V = mm.F64; MAXD = mm.maxDepth; refresh();',
    ...info.globals.map((_, i) => `  G${i} = mm.globals[${i}];`),
    ...[...refFuncs].map((fi) => `  RF${fi} = mm.funcs[${fi}].handle;`),
    ...info.tables.map((_, i) => `  T${i} = mm.tables[${i}];`),
    '}',
    ...constants,
  ];
  const epilogue = [
    `const WT = [${wt.join(', ')}];`,
    `const TT = [${hasTail ? wt.map((w) => (w === 'undefined' ? w : `t${w.slice(1)}`)).join(', ') : ''}];`,
    `return { entries: [${es.join(', ')}], enter(mm, fuel, depth) { if (m !== mm) bind(mm); setFuel(fuel); D = depth; SUSP = false; TC = 0; TRAPPED = false; refresh(); }, fuel() { return FUEL + RESERVE; }, suspending() { return SUSP; }, release(mm) { if (m === mm) unbind(); } };`,
    `//# sourceURL=lang-vm-jit-${id}.js`,
  ];
  const source = [...prologue, ...lines, ...epilogue].join("\n");

  if (headerLines < 0) {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the tier exists to compile wasm to JavaScript source
    const probe = new Function('return new Error().stack;\n//# sourceURL=lang-vm-probe.js') as () => string;
    const match = /lang-vm-probe\.js:(\d+)/.exec(probe());
    headerLines = match ? Number(match[1]) - 1 : 2;
  }
  const bodyStart = headerLines + prologue.length; // 0-based index of lines[0] in the JS line numbering
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the tier exists to compile wasm to JavaScript source
  const factory = new Function('NUM', 'B', 'Trap', source) as (
    n: typeof num,
    b: typeof bulk,
    trap: typeof Trap,
  ) => SharedTier;
  const shared = factory(num, bulk, Trap);
  const names = info.funcNames;
  return (mm: Machine) => ({
    entries: shared.entries,
    enter(fuel: number, depth: number) {
      shared.enter(mm, fuel, depth);
    },
    fuel: () => shared.fuel(),
    suspending: () => shared.suspending(),
    release: () => shared.release(mm),
    framesOf(e: Error): WasmFrame[] {
      const out: WasmFrame[] = [];
      const re = new RegExp(`lang-vm-jit-${id}\\.js:(\\d+):\\d+`, 'g');
      for (const mt of String(e.stack).matchAll(re)) {
        const li = lineInfo[Number(mt[1]) - 1 - bodyStart];
        if (li === undefined) continue;
        const name = names.get(li[0]);
        out.push(name === undefined ? { funcIndex: li[0], offset: li[1] } : { funcIndex: li[0], name, offset: li[1] });
      }
      return out;
    },
  });
}

/**
 * A load or store. The memory's DataView is exactly the memory's size, so its own bounds check is
 * the wasm rule (spec 4.4.7: trap when ea + width > size, ea = address + offset without wrapping):
 * an access out of bounds throws V8's RangeError, which `tierError` turns into the trap. No check
 * of our own duplicates it on the hot path.
 */
/**
 * Functions entered only a few times, as far as the module shows: exported or start functions and
 * those called only from outside loops of such functions, never through a table or a reference.
 * Loops are outlined only there (an outlined loop costs a call and its variables' copies per entry).
 */
function coldFunctions(c: CompiledModule, fits: ReadonlySet<number>): Set<number> {
  // Direct call sites of the compiled functions, inside a loop or not, and the functions they take references to.
  const { code, structure } = c;
  const calls: { from: number; to: number; inLoop: boolean }[] = [];
  const refFuncs = new Set<number>();
  let e = 0;
  for (const f of c.funcs) {
    while (e < structure.length && (structure[e] as number) < f.entry) e += 3;
    if (!fits.has(f.index)) continue;
    const kinds: number[] = [];
    for (let pc = f.entry; pc < f.codeEnd; pc += opSize(code, pc)) {
      for (; e < structure.length && structure[e] === pc; e += 3) {
        const kind = structure[e + 1] as number;
        if (kind === 1 || kind === 2 || kind === 3) kinds.push(kind);
        else if (kind === 5) kinds.pop();
      }
      const op = code[pc] as number;
      if (op === Op.CALL) calls.push({ from: f.index, to: code[pc + 1] as number, inLoop: kinds.includes(2) });
      else if (op === Op.REF_FUNC) refFuncs.add(code[pc + 2] as number);
    }
  }
  const hot = new Set<number>(refFuncs);
  for (const e of c.info.elems) for (const x of e.init) if (x.kind === 'ref.func') hot.add(x.index);
  for (const g of c.info.globalDefs) if (g.init.kind === 'ref.func') hot.add(g.init.index);
  const called = new Set(calls.map((k) => k.to));
  for (const k of calls) if (k.inLoop) hot.add(k.to);
  for (let changed = true; changed; ) {
    changed = false;
    for (const k of calls) {
      if (hot.has(k.from) && !hot.has(k.to)) {
        hot.add(k.to);
        changed = true;
      }
    }
  }
  const roots = new Set<number>(c.info.exports.filter((e) => e.kind === 'function').map((e) => e.index));
  if (c.info.start !== undefined) roots.add(c.info.start);
  const cold = new Set<number>();
  for (const f of c.funcs) if (!hot.has(f.index) && (roots.has(f.index) || called.has(f.index))) cold.add(f.index);
  return cold;
}

function memoryOp(op: number, t: string, th: string, u: string, uh: string, offset: number, addr = t): string {
  const ea = offset === 0 ? `${addr} >>> 0` : `(${addr} >>> 0) + ${offset}`;
  switch (op) {
    case 0x28: return `${t} = dv.getInt32(${ea}, true);`;
    case 0x29: return `{ const ea = ${ea}; ${t} = dv.getInt32(ea, true); ${th} = dv.getInt32(ea + 4, true); }`;
    case 0x2a: return `${t} = dv.getInt32(${ea}, true);`;
    case 0x2b: return `${t} = dv.getFloat64(${ea}, true);`;
    case 0x2c: return `${t} = dv.getInt8(${ea});`;
    case 0x2d: return `${t} = dv.getUint8(${ea});`;
    case 0x2e: return `${t} = dv.getInt16(${ea}, true);`;
    case 0x2f: return `${t} = dv.getUint16(${ea}, true);`;
    case 0x30: return `${t} = dv.getInt8(${ea}); ${th} = ${t} >> 31;`;
    case 0x31: return `${t} = dv.getUint8(${ea}); ${th} = 0;`;
    case 0x32: return `${t} = dv.getInt16(${ea}, true); ${th} = ${t} >> 31;`;
    case 0x33: return `${t} = dv.getUint16(${ea}, true); ${th} = 0;`;
    case 0x34: return `${t} = dv.getInt32(${ea}, true); ${th} = ${t} >> 31;`;
    case 0x35: return `${t} = dv.getInt32(${ea}, true); ${th} = 0;`;
    case 0x36: case 0x38: case 0x3e: return `dv.setInt32(${ea}, ${u}, true);`;
    // i64.store: both halves or neither (the high word's check comes first, as the access is atomic for the bounds rule).
    case 0x37: return `{ const ea = ${ea}; dv.setInt32(ea + 4, ${uh}, true); dv.setInt32(ea, ${u}, true); }`;
    case 0x39: return `dv.setFloat64(${ea}, ${u}, true);`;
    case 0x3a: case 0x3c: return `dv.setInt8(${ea}, ${u});`;
    case 0x3b: case 0x3d: return `dv.setInt16(${ea}, ${u}, true);`;
    default: throw new Error(`lang-vm internal error: memory opcode 0x${op.toString(16)}`);
  }
}

const I32T = 0x7f;
/** Numeric ops whose result may be forwarded as an expression: i32 results, no trap, no side effect. */
const PURE = new Set([
  ...range(0x45, 0x4f), ...range(0x5b, 0x69), 0x6a, 0x6b, 0x6c, ...range(0x71, 0x78), 0xc0, 0xc1,
]);
const readsCache = new Map<number, boolean>();
/** Whether the op's JavaScript form reads its operands only through `ra`/`rb` (so they may be expressions). */
function readsThrough(op: number): boolean {
  let r = readsCache.get(op);
  if (r === undefined) {
    const probe = numericOp(op, '$A', '$AH', '$B', '$BH', '$RA', '$RB');
    const stmt = probe?.[0] ?? '';
    r = stmt.includes('$RA') && !/\$A(?![HA-Z])/.test(stmt.replace(/^\$A = /, '').replace(/\$A = FB\(/, 'FB('));
    readsCache.set(op, r);
  }
  return r;
}
function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}


/** [statement, result type] for numeric ops 0x45..0xcc (spec 4.3), in the tier's representation. */
/**
 * [statement, result type, expression] for numeric ops 0x45..0xcc (spec 4.3), in the tier's
 * representation. `a`, `ah`, `b`, `bh` are the operand slots' variables (the result goes to `a`);
 * single-value operands are read through `ra`/`rb`, which may be forwarded expressions.
 */
function numericOp(op: number, a: string, ah: string, b: string, bh: string, ra = a, rb = b): [string, number, string?, string?] | undefined {
  const i32 = (e: string): [string, number, string] => [`${a} = ${e};`, I32T, e];
  /** A comparison: its 0 or 1 without a branch, and the condition itself for a branch that reads it. */
  const cmp = (c: string): [string, number, string, string] => [`${a} = (${c}) | 0;`, I32T, `(${c}) | 0`, c];
  const i64 = (stmt: string): [string, number] => [stmt, I64];
  const viaR = (call: string) => i64(`${call}; ${a} = R[0]; ${ah} = R[1];`);
  const f32 = (e: string): [string, number] => [`${a} = FB(${e});`, F32];
  const f64 = (e: string): [string, number] => [`${a} = ${e};`, F64];
  const fa = `FN(${ra})`;
  const fb = `FN(${rb})`;
  const u = (x: string) => `(${x} >>> 0)`;
  const lt64 = (signed: boolean, x: string, xh: string, y: string, yh: string) =>
    `(${signed ? `${xh} < ${yh}` : `${u(xh)} < ${u(yh)}`} || (${xh} === ${yh} && ${u(x)} < ${u(y)}))`;
  switch (op) {
    case 0x45: return cmp(`${ra} === 0`);
    case 0x46: return cmp(`${ra} === ${rb}`);
    case 0x47: return cmp(`${ra} !== ${rb}`);
    case 0x48: return cmp(`${ra} < ${rb}`);
    case 0x49: return cmp(`${u(ra)} < ${u(rb)}`);
    case 0x4a: return cmp(`${ra} > ${rb}`);
    case 0x4b: return cmp(`${u(ra)} > ${u(rb)}`);
    case 0x4c: return cmp(`${ra} <= ${rb}`);
    case 0x4d: return cmp(`${u(ra)} <= ${u(rb)}`);
    case 0x4e: return cmp(`${ra} >= ${rb}`);
    case 0x4f: return cmp(`${u(ra)} >= ${u(rb)}`);
    case 0x50: return cmp(`(${a} | ${ah}) === 0`);
    case 0x51: return cmp(`${a} === ${b} && ${ah} === ${bh}`);
    case 0x52: return cmp(`${a} !== ${b} || ${ah} !== ${bh}`);
    case 0x53: return cmp(lt64(true, a, ah, b, bh));
    case 0x54: return cmp(lt64(false, a, ah, b, bh));
    case 0x55: return cmp(lt64(true, b, bh, a, ah));
    case 0x56: return cmp(lt64(false, b, bh, a, ah));
    case 0x57: return cmp(`!${lt64(true, b, bh, a, ah)}`);
    case 0x58: return cmp(`!${lt64(false, b, bh, a, ah)}`);
    case 0x59: return cmp(`!${lt64(true, a, ah, b, bh)}`);
    case 0x5a: return cmp(`!${lt64(false, a, ah, b, bh)}`);
    case 0x5b: return cmp(`${fa} === ${fb}`);
    case 0x5c: return cmp(`${fa} !== ${fb}`);
    case 0x5d: return cmp(`${fa} < ${fb}`);
    case 0x5e: return cmp(`${fa} > ${fb}`);
    case 0x5f: return cmp(`${fa} <= ${fb}`);
    case 0x60: return cmp(`${fa} >= ${fb}`);
    case 0x61: return cmp(`${ra} === ${rb}`);
    case 0x62: return cmp(`${ra} !== ${rb}`);
    case 0x63: return cmp(`${ra} < ${rb}`);
    case 0x64: return cmp(`${ra} > ${rb}`);
    case 0x65: return cmp(`${ra} <= ${rb}`);
    case 0x66: return cmp(`${ra} >= ${rb}`);
    case 0x67: return i32(`Math.clz32(${ra})`);
    case 0x68: return i32(`ctz32(${ra})`);
    case 0x69: return i32(`popcnt32(${ra})`);
    case 0x6a: return i32(`(${ra} + ${rb}) | 0`);
    case 0x6b: return i32(`(${ra} - ${rb}) | 0`);
    case 0x6c: return i32(`Math.imul(${ra}, ${rb})`);
    case 0x6d: return i32(`i32DivS(${ra}, ${rb})`);
    case 0x6e: return i32(`i32DivU(${ra}, ${rb})`);
    case 0x6f: return i32(`i32RemS(${ra}, ${rb})`);
    case 0x70: return i32(`i32RemU(${ra}, ${rb})`);
    case 0x71: return i32(`${ra} & ${rb}`);
    case 0x72: return i32(`${ra} | ${rb}`);
    case 0x73: return i32(`${ra} ^ ${rb}`);
    case 0x74: return i32(`${ra} << ${rb}`);
    case 0x75: return i32(`${ra} >> ${rb}`);
    case 0x76: return i32(`(${ra} >>> ${rb}) | 0`);
    case 0x77: return i32(`(${ra} << ${rb}) | (${ra} >>> (32 - (${rb} & 31)))`);
    case 0x78: return i32(`(${ra} >>> ${rb}) | (${ra} << (32 - (${rb} & 31)))`);
    case 0x79: return i64(`${a} = i64Clz(${a}, ${ah}); ${ah} = 0;`);
    case 0x7a: return i64(`${a} = i64Ctz(${a}, ${ah}); ${ah} = 0;`);
    case 0x7b: return i64(`${a} = popcnt32(${a}) + popcnt32(${ah}); ${ah} = 0;`);
    case 0x7c: return i64(`{ const lo = (${a} + ${b}) | 0; ${ah} = (${ah} + ${bh} + ((${u('lo')} < ${u(a)}) | 0)) | 0; ${a} = lo; }`);
    case 0x7d: return i64(`{ const lo = (${a} - ${b}) | 0; ${ah} = (${ah} - ${bh} - ((${u(a)} < ${u(b)}) | 0)) | 0; ${a} = lo; }`);
    case 0x7e: return viaR(`i64Mul(${a}, ${ah}, ${b}, ${bh})`);
    case 0x7f: return viaR(`i64DivS(${a}, ${ah}, ${b}, ${bh})`);
    case 0x80: return viaR(`i64DivU(${a}, ${ah}, ${b}, ${bh})`);
    case 0x81: return viaR(`i64RemS(${a}, ${ah}, ${b}, ${bh})`);
    case 0x82: return viaR(`i64RemU(${a}, ${ah}, ${b}, ${bh})`);
    case 0x83: return i64(`${a} = ${a} & ${b}; ${ah} = ${ah} & ${bh};`);
    case 0x84: return i64(`${a} = ${a} | ${b}; ${ah} = ${ah} | ${bh};`);
    case 0x85: return i64(`${a} = ${a} ^ ${b}; ${ah} = ${ah} ^ ${bh};`);
    case 0x86: return viaR(`i64Shl(${a}, ${ah}, ${b})`);
    case 0x87: return viaR(`i64ShrS(${a}, ${ah}, ${b})`);
    case 0x88: return viaR(`i64ShrU(${a}, ${ah}, ${b})`);
    case 0x89: return viaR(`i64Rotl(${a}, ${ah}, ${b})`);
    case 0x8a: return viaR(`i64Rotr(${a}, ${ah}, ${b})`);
    case 0x8b: return [`${a} = ${a} & 0x7fffffff;`, F32];
    case 0x8c: return [`${a} = ${a} ^ -0x80000000;`, F32];
    case 0x8d: return f32(`Math.ceil(${fa})`);
    case 0x8e: return f32(`Math.floor(${fa})`);
    case 0x8f: return f32(`Math.trunc(${fa})`);
    case 0x90: return f32(`nearest(${fa})`);
    case 0x91: return f32(`Math.sqrt(${fa})`);
    case 0x92: return f32(`${fa} + ${fb}`);
    case 0x93: return f32(`${fa} - ${fb}`);
    case 0x94: return f32(`${fa} * ${fb}`);
    case 0x95: return f32(`${fa} / ${fb}`);
    case 0x96: return f32(`Math.min(${fa}, ${fb})`);
    case 0x97: return f32(`Math.max(${fa}, ${fb})`);
    case 0x98: return [`${a} = (${a} & 0x7fffffff) | (${b} & -0x80000000);`, F32];
    // f64 sign operations work on the bits so that NaN payloads survive (spec 4.3.3 fneg, fabs, fcopysign).
    case 0x99: return f64(`W2F(F2W(${ra}), R[1] & 0x7fffffff)`);
    case 0x9a: return f64(`W2F(F2W(${ra}), R[1] ^ -0x80000000)`);
    case 0x9b: return f64(`Math.ceil(${ra})`);
    case 0x9c: return f64(`Math.floor(${ra})`);
    case 0x9d: return f64(`Math.trunc(${ra})`);
    case 0x9e: return f64(`nearest(${ra})`);
    case 0x9f: return f64(`Math.sqrt(${ra})`);
    case 0xa0: return f64(`${ra} + ${rb}`);
    case 0xa1: return f64(`${ra} - ${rb}`);
    case 0xa2: return f64(`${ra} * ${rb}`);
    case 0xa3: return f64(`${ra} / ${rb}`);
    case 0xa4: return f64(`Math.min(${ra}, ${rb})`);
    case 0xa5: return f64(`Math.max(${ra}, ${rb})`);
    case 0xa6: return [`{ F2W(${b}); const sb = R[1] & -0x80000000; ${a} = W2F(F2W(${a}), (R[1] & 0x7fffffff) | sb); }`, F64];
    case 0xa7: return [`${ah} = 0;`, I32T];
    case 0xa8: return i32(`truncI32S(${fa})`);
    case 0xa9: return i32(`truncI32U(${fa})`);
    case 0xaa: return i32(`truncI32S(${ra})`);
    case 0xab: return i32(`truncI32U(${ra})`);
    case 0xac: return i64(`${ah} = ${a} >> 31;`);
    case 0xad: return i64(`${ah} = 0;`);
    case 0xae: return viaR(`truncI64S(${fa})`);
    case 0xaf: return viaR(`truncI64U(${fa})`);
    case 0xb0: return viaR(`truncI64S(${a})`);
    case 0xb1: return viaR(`truncI64U(${a})`);
    case 0xb2: return f32(`${ra}`);
    case 0xb3: return f32(`${ra} >>> 0`);
    case 0xb4: return f32(`i64ToF32S(${a}, ${ah})`);
    case 0xb5: return f32(`i64ToF32U(${a}, ${ah})`);
    case 0xb6: return f32(`${ra}`);
    case 0xb7: return f64(`${ra}`);
    case 0xb8: return f64(`${ra} >>> 0`);
    case 0xb9: return f64(`i64ToF64S(${a}, ${ah})`);
    case 0xba: return f64(`i64ToF64U(${a}, ${ah})`);
    case 0xbb: return f64(fa);
    case 0xbc: return [';', I32T];
    case 0xbd: return i64(`${a} = F2W(${a}); ${ah} = R[1];`);
    case 0xbe: return [';', F32];
    case 0xbf: return f64(`W2F(${a}, ${ah})`);
    case 0xc0: return i32(`(${ra} << 24) >> 24`);
    case 0xc1: return i32(`(${ra} << 16) >> 16`);
    case 0xc2: return i64(`${a} = (${a} << 24) >> 24; ${ah} = ${a} >> 31;`);
    case 0xc3: return i64(`${a} = (${a} << 16) >> 16; ${ah} = ${a} >> 31;`);
    case 0xc4: return i64(`${ah} = ${a} >> 31;`);
    case SAT_BASE: return i32(`truncSatI32S(${fa})`);
    case SAT_BASE + 1: return i32(`truncSatI32U(${fa})`);
    case SAT_BASE + 2: return i32(`truncSatI32S(${ra})`);
    case SAT_BASE + 3: return i32(`truncSatI32U(${ra})`);
    case SAT_BASE + 4: return viaR(`truncSatI64S(${fa})`);
    case SAT_BASE + 5: return viaR(`truncSatI64U(${fa})`);
    case SAT_BASE + 6: return viaR(`truncSatI64S(${a})`);
    case SAT_BASE + 7: return viaR(`truncSatI64U(${a})`);
    default: return undefined;
  }
}

export type { Table };

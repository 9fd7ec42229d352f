import { DecodeError, ValidationError } from './errors.js';
import { IntBuf, Op, SAT_BASE } from './code.js';
import { LIMITS, checkLimit, readValType } from './decoder.js';
import { Reader } from './reader.js';
import type { ConstExpr, FuncType, Limits, ModuleInfo, ValType } from './types.js';
import { EXTERNREF, F32, F64, FUNCREF, I32, I64, UNKNOWN, isNumType, isRefType, typeName } from './types.js';

/** Per-function facts the interpreter and the JavaScript tier need. */
export interface FuncCode {
  readonly index: number;
  readonly typeIndex: number;
  /** First instruction of the body in the module's code stream. */
  readonly entry: number;
  /** Params and declared locals. */
  readonly localTypes: readonly ValType[];
  /** Words the frame needs: locals plus the deepest operand stack, two words per value. */
  readonly frameWords: number;
  /** End of the body in the code stream (exclusive). */
  readonly codeEnd: number;
  /** Whether the body has a tail call (return_call or return_call_indirect) in reachable code. */
  readonly tailCalls: boolean;
}

/** A validated module with its compact internal code (see code.ts). */
export interface CompiledModule {
  readonly info: ModuleInfo;
  readonly code: Int32Array;
  /** Indexed by defined-function number (function index minus imported functions). */
  readonly funcs: readonly FuncCode[];
  /**
   * Operand stack types at each call site and basic-block start (siteId): the JavaScript tier
   * types its variables from them and spills them when fuel runs out.
   */
  readonly siteStacks: readonly (readonly ValType[])[];
  /**
   * Structure of the emitted code for the JavaScript tier: (pc, kind, target) triples in emission
   * order; kind 1 block, 2 loop, 3 if, 4 else, 5 end; target is the pc a branch to the construct
   * jumps to (after its end, or a loop's header).
   */
  readonly structure: Int32Array;
  /** Sorted pc -> byte offset pairs for trap stack traces. */
  readonly pcs: Int32Array;
  readonly offsets: Int32Array;
  /** Functions that `ref.func` may name (spec 3.4.10, C.refs). */
  readonly declaredRefs: ReadonlySet<number>;
}

/** Natural alignment (log2 bytes) of the memory instructions 0x28..0x3e. */
const MEM_ALIGN = [2, 3, 2, 3, 0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 2, 3, 2, 3, 0, 1, 0, 1, 2];
const MEM_TYPE: ValType[] = [I32, I64, F32, F64, I32, I32, I32, I32, I64, I64, I64, I64, I64, I64, I32, I64, F32, F64, I32, I32, I64, I64, I64];

/** [input a, input b (0 when unary), output] of numeric opcodes 0x45..0xc4 (spec 3.3.1). */
const NUM_SIG: (readonly [number, number, number])[] = [];
{
  const set = (from: number, to: number, a: number, b: number, r: number) => {
    for (let op = from; op <= to; op++) NUM_SIG[op] = [a, b, r];
  };
  set(0x45, 0x45, I32, 0, I32);
  set(0x46, 0x4f, I32, I32, I32);
  set(0x50, 0x50, I64, 0, I32);
  set(0x51, 0x5a, I64, I64, I32);
  set(0x5b, 0x60, F32, F32, I32);
  set(0x61, 0x66, F64, F64, I32);
  set(0x67, 0x69, I32, 0, I32);
  set(0x6a, 0x78, I32, I32, I32);
  set(0x79, 0x7b, I64, 0, I64);
  set(0x7c, 0x8a, I64, I64, I64);
  set(0x8b, 0x91, F32, 0, F32);
  set(0x92, 0x98, F32, F32, F32);
  set(0x99, 0x9f, F64, 0, F64);
  set(0xa0, 0xa6, F64, F64, F64);
  set(0xa7, 0xa7, I64, 0, I32);
  set(0xa8, 0xa9, F32, 0, I32);
  set(0xaa, 0xab, F64, 0, I32);
  set(0xac, 0xad, I32, 0, I64);
  set(0xae, 0xaf, F32, 0, I64);
  set(0xb0, 0xb1, F64, 0, I64);
  set(0xb2, 0xb3, I32, 0, F32);
  set(0xb4, 0xb5, I64, 0, F32);
  set(0xb6, 0xb6, F64, 0, F32);
  set(0xb7, 0xb8, I32, 0, F64);
  set(0xb9, 0xba, I64, 0, F64);
  set(0xbb, 0xbb, F32, 0, F64);
  set(0xbc, 0xbc, F32, 0, I32);
  set(0xbd, 0xbd, F64, 0, I64);
  set(0xbe, 0xbe, I32, 0, F32);
  set(0xbf, 0xbf, I64, 0, F64);
  set(0xc0, 0xc1, I32, 0, I32);
  set(0xc2, 0xc4, I64, 0, I64);
  // Saturating truncations 0xfc 0..7 at SAT_BASE..SAT_BASE+7.
  set(SAT_BASE, SAT_BASE + 1, F32, 0, I32);
  set(SAT_BASE + 2, SAT_BASE + 3, F64, 0, I32);
  set(SAT_BASE + 4, SAT_BASE + 5, F32, 0, I64);
  set(SAT_BASE + 6, SAT_BASE + 7, F64, 0, I64);
}
export const NUMERIC_SIGNATURES: readonly (readonly [number, number, number] | undefined)[] = NUM_SIG;

interface Ctrl {
  readonly op: number; // 0 function, 0x02 block, 0x03 loop, 0x04 if, 0x05 else
  readonly start: readonly ValType[];
  readonly end: readonly ValType[];
  readonly height: number;
  unreachable: boolean;
  /** No code is emitted for a frame that starts in unreachable code (it can never run). */
  readonly dead: boolean;
  /** Loop: the header's pc. */
  readonly targetPc: number;
  /** Code positions to patch with the pc after this construct's end. */
  readonly patches: number[];
  /** Position of this construct's target in the structure table, -1 when dead. */
  readonly structAt: number;
  /** If: the position of the IF's else target, -1 once used. */
  elsePatch: number;
}

const MAX_PAGES = 65536;

function checkLimits(l: Limits, bound: number, what: string, at: number): void {
  if (l.min > bound) throw new ValidationError(`${what} size must be at most ${bound}`, -1, at);
  if (l.max !== undefined) {
    if (l.max > bound) throw new ValidationError(`${what} size must be at most ${bound}`, -1, at);
    if (l.max < l.min) throw new ValidationError(`size minimum must not be greater than maximum (${what})`, -1, at);
  }
}

/** Validates a decoded module (spec 3) and emits its internal code in the same pass. */
export function validateModule(info: ModuleInfo): CompiledModule {
  const { types, funcTypes, tables, memories, globals } = info;
  const moduleError = (rule: string, at: number): never => {
    throw new ValidationError(rule, -1, at);
  };
  for (const imp of info.imports) {
    if (imp.desc.kind === 'function' && imp.desc.typeIndex >= types.length) moduleError(`unknown type ${imp.desc.typeIndex}`, imp.offset);
    if (imp.desc.kind === 'memory') checkLimits(imp.desc.limits, MAX_PAGES, 'memory', imp.offset);
    if (imp.desc.kind === 'table') checkLimits(imp.desc.type.limits, 0xffffffff, 'table', imp.offset);
  }
  for (let i = info.numImportedFuncs; i < funcTypes.length; i++) {
    if ((funcTypes[i] as number) >= types.length) moduleError(`unknown type ${funcTypes[i]} (function ${i})`, 0);
  }
  if (memories.length > 1) moduleError('multiple memories', 0);
  for (const m of memories) checkLimits(m, MAX_PAGES, 'memory', 0);
  for (const t of tables) checkLimits(t.limits, 0xffffffff, 'table', 0);

  // C.refs: functions named outside function bodies (spec 3.4.10).
  const declaredRefs = new Set<number>();
  const noteRefs = (e: ConstExpr) => {
    if (e.kind === 'ref.func') declaredRefs.add(e.index);
  };
  for (const g of info.globalDefs) noteRefs(g.init);
  for (const el of info.elems) el.init.forEach(noteRefs);
  for (const ex of info.exports) if (ex.kind === 'function') declaredRefs.add(ex.index);

  // In 2.0 a constant expression may read only an imported, immutable global (spec 3.3.10, C' of 3.4.10).
  const constType = (e: ConstExpr, at: number): number => {
    switch (e.kind) {
      case 'i32': return I32;
      case 'i64': return I64;
      case 'f32': return F32;
      case 'f64': return F64;
      case 'ref.null': return e.type;
      case 'ref.func':
        if (e.index >= funcTypes.length) moduleError(`unknown function ${e.index}`, at);
        return FUNCREF;
      case 'global.get': {
        const g = globals[e.index];
        if (g === undefined || e.index >= info.numImportedGlobals) return moduleError(`unknown global ${e.index}`, at);
        if (g.mutable) moduleError(`constant expression required (global ${e.index} is mutable)`, at);
        return g.type;
      }
    }
  };
  const expectConst = (e: ConstExpr, t: number, at: number) => {
    const got = constType(e, at);
    if (got !== t) moduleError(`type mismatch: constant expression is ${typeName(got)}, expected ${typeName(t)}`, at);
  };
  for (const g of info.globalDefs) expectConst(g.init, g.type.type, g.offset);
  for (const el of info.elems) {
    for (const e of el.init) expectConst(e, el.type, el.offset);
    if (el.mode === 'active') {
      const t = tables[el.table];
      if (t === undefined) moduleError(`unknown table ${el.table}`, el.offset);
      else if (t.elem !== el.type) moduleError(`type mismatch: element segment of ${typeName(el.type)} in a table of ${typeName(t.elem)}`, el.offset);
      expectConst(el.offsetExpr as ConstExpr, I32, el.offset);
    }
  }
  for (const d of info.datas) {
    if (d.mode === 'active') {
      if (d.memory >= memories.length) moduleError(`unknown memory ${d.memory}`, d.offset);
      expectConst(d.offsetExpr as ConstExpr, I32, d.offset);
    }
  }
  const exportNames = new Set<string>();
  for (const ex of info.exports) {
    if (exportNames.has(ex.name)) moduleError(`duplicate export name '${ex.name}'`, ex.offset);
    exportNames.add(ex.name);
    const count = { function: funcTypes.length, table: tables.length, memory: memories.length, global: globals.length }[ex.kind];
    if (ex.index >= count) moduleError(`unknown ${ex.kind} ${ex.index} in export '${ex.name}'`, ex.offset);
  }
  if (info.start !== undefined) {
    const ti = funcTypes[info.start];
    if (ti === undefined) moduleError(`unknown function ${info.start} (start)`, 0);
    else {
      const t = types[ti] as FuncType;
      if (t.params.length > 0 || t.results.length > 0) moduleError('start function must have type [] -> []', 0);
    }
  }

  const code = new IntBuf();
  const pcs = new IntBuf();
  const offsets = new IntBuf();
  const siteStacks: ValType[][] = [];
  const structure = new IntBuf();
  const funcs: FuncCode[] = [];
  for (let i = 0; i < info.bodies.length; i++) {
    const index = info.numImportedFuncs + i;
    funcs.push(compileFunction(info, index, declaredRefs, { code, pcs, offsets, siteStacks, structure }));
  }
  return {
    info,
    code: code.finish(),
    funcs,
    siteStacks,
    structure: structure.finish(),
    pcs: pcs.finish(),
    offsets: offsets.finish(),
    declaredRefs,
  };
}

interface Output {
  readonly code: IntBuf;
  readonly pcs: IntBuf;
  readonly offsets: IntBuf;
  readonly siteStacks: ValType[][];
  readonly structure: IntBuf;
}

function compileFunction(info: ModuleInfo, index: number, declaredRefs: ReadonlySet<number>, out: Output): FuncCode {
  const { code, pcs, offsets, siteStacks, structure } = out;
  const body = info.bodies[index - info.numImportedFuncs];
  const typeIndex = info.funcTypes[index] as number;
  const type = info.types[typeIndex] as FuncType;
  if (body === undefined) throw new ValidationError('missing function body', index, 0);
  const localTypes: ValType[] = [...type.params, ...body.locals];
  const nLocals = localTypes.length;
  const r = new Reader(info.bytes, body.start, body.end);
  let at = body.start;
  const err = (rule: string): never => {
    throw new ValidationError(rule, index, at);
  };

  const vals: number[] = [];
  const ctrls: Ctrl[] = [];
  let maxHeight = 0;
  let tailCalls = false;
  const entry = code.length;

  // --- the spec's validation algorithm (appendix "Validation Algorithm") ---
  const push = (t: number) => {
    vals.push(t);
    if (vals.length > maxHeight) maxHeight = vals.length;
  };
  const pop = (): number => {
    const c = ctrls[ctrls.length - 1] as Ctrl;
    if (vals.length === c.height) {
      if (c.unreachable) return UNKNOWN;
      return err('type mismatch: operand stack underflow');
    }
    return vals.pop() as number;
  };
  /** pop_val(expect) of the spec's algorithm: the value's own type, which is the bottom type (UNKNOWN) in unreachable code. */
  const popExpect = (expect: number): number => {
    const actual = pop();
    if (actual !== expect && actual !== UNKNOWN && expect !== UNKNOWN) {
      err(`type mismatch: expected ${typeName(expect)}, found ${typeName(actual)}`);
    }
    return actual;
  };
  const popVals = (ts: readonly number[]): number[] => {
    const out: number[] = [];
    for (let i = ts.length - 1; i >= 0; i--) out[i] = popExpect(ts[i] as number);
    return out;
  };
  const pushVals = (ts: readonly number[]) => {
    for (const t of ts) push(t);
  };
  const labelTypes = (c: Ctrl) => (c.op === 0x03 ? c.start : c.end);
  const setUnreachable = () => {
    const c = ctrls[ctrls.length - 1] as Ctrl;
    vals.length = c.height;
    c.unreachable = true;
  };
  const live = () => {
    const c = ctrls[ctrls.length - 1] as Ctrl;
    return !c.unreachable && !c.dead;
  };

  // --- emission ---
  const off = (h: number) => (nLocals + h) * 2;
  let fuelAt = -1;
  let fuelCount = 0;
  const emitOp = (op: number) => {
    pcs.push(code.length);
    offsets.push(at);
    code.push(op);
  };
  /** Starts a new basic block for fuel accounting; `check` at function entry and loop headers. */
  const startBlock = (check: boolean) => {
    if (fuelAt >= 0) code.data[fuelAt] = fuelCount;
    fuelCount = 0;
    emitOp(check ? Op.FUEL_CHECK : Op.FUEL);
    fuelAt = code.push(0);
    code.push(site());
  };
  const site = () => siteStacks.push(vals.slice() as ValType[]) - 1;
  /** Records a structure event at the current pc; returns the position of its target field. */
  const mark = (kind: number, target: number) => {
    structure.push(code.length);
    structure.push(kind);
    return structure.push(target);
  };
  /** Branch to label `depth` taken at stack height `height`: the target frame and the value moves. */
  const branchTo = (depth: number, arity: number, height: number) => {
    const c = ctrls[ctrls.length - 1 - depth] as Ctrl;
    const from = off(height - arity);
    const to = off(c.height);
    return { c, from, to, nwords: from === to ? 0 : arity * 2 };
  };
  const pushTarget = (c: Ctrl) => {
    if (c.op === 0x03) code.push(c.targetPc);
    else c.patches.push(code.push(-1));
  };
  const readBlockType = (): [readonly ValType[], readonly ValType[]] => {
    const b = info.bytes[r.pos];
    if (b === 0x40) {
      r.pos++;
      return [[], []];
    }
    if (b === I32 || b === I64 || b === F32 || b === F64 || b === FUNCREF || b === EXTERNREF) {
      r.pos++;
      return [[], [b]];
    }
    const tiAt = r.pos;
    const ti = r.s33('block type');
    // A negative s33 that is not a value type (above) is no block type at all: malformed (spec 5.4.1).
    if (ti < 0) throw new DecodeError(tiAt, `a block type (0x40, a value type or a type index), found ${ti}`);
    const t = info.types[ti];
    if (t === undefined) return err(`unknown type ${ti} (block type)`);
    return [t.params, t.results];
  };
  const memarg = (op: number) => {
    const alignAt = r.pos;
    const align = r.u32('memory alignment');
    // An exponent of 32 or more cannot be an alignment at all: malformed (the spec's "malformed memop flags").
    if (align >= 32) throw new DecodeError(alignAt, `a memory alignment exponent below 32, found ${align} (malformed memop flags)`);
    const offset = r.u32('memory offset');
    if (info.memories.length === 0) err('unknown memory 0');
    if (align > (MEM_ALIGN[op - 0x28] as number)) err('alignment must not be larger than natural');
    return offset;
  };
  const zeroByte = (what: string) => {
    const p = r.pos;
    if (r.byte(what) !== 0) throw new DecodeError(p, `${what} 0x00 (zero byte expected)`);
  };
  const needMemory = () => {
    if (info.memories.length === 0) err('unknown memory 0');
  };
  const needTable = (t: number) => {
    const tt = info.tables[t];
    if (tt === undefined) return err(`unknown table ${t}`);
    return tt;
  };
  const needData = (seg: number) => {
    // Binary format 5.5.16: memory.init and data.drop need the data count section; without it the module is malformed.
    if (info.dataCount === undefined) throw new DecodeError(at, 'a data count section (memory.init and data.drop require one)');
    if (seg >= info.dataCount) err(`unknown data segment ${seg}`);
  };
  const needElem = (seg: number) => {
    const e = info.elems[seg];
    if (e === undefined) return err(`unknown elem segment ${seg}`);
    return e;
  };
  const callSig = (fi: number) => {
    const ti = info.funcTypes[fi];
    if (ti === undefined) return err(`unknown function ${fi}`);
    return info.types[ti] as FuncType;
  };

  ctrls.push({ op: 0, start: [], end: type.results, height: 0, unreachable: false, dead: false, targetPc: -1, patches: [], elsePatch: -1, structAt: -1 });
  startBlock(true);

  while (ctrls.length > 0) {
    at = r.pos;
    if (r.pos >= r.end) throw new DecodeError(r.pos, 'an instruction or end (function body ended inside a block)');
    const op = r.byte('an opcode');
    const emit = live();
    if (emit) fuelCount++;
    const h = vals.length;
    switch (op) {
      case 0x00:
        if (emit) emitOp(Op.UNREACHABLE);
        setUnreachable();
        break;
      case 0x01:
        break;
      case 0x02:
      case 0x03: {
        const [params, results] = readBlockType();
        popVals(params);
        const height = vals.length;
        pushVals(params);
        let targetPc = -1;
        let structAt = -1;
        if (emit) {
          if (op === 0x03) {
            targetPc = code.length;
            structAt = mark(2, targetPc);
            startBlock(true);
          } else structAt = mark(1, -1);
        }
        ctrls.push({ op, start: params, end: results, height, unreachable: false, dead: !emit, targetPc, patches: [], elsePatch: -1, structAt });
        break;
      }
      case 0x04: {
        const [params, results] = readBlockType();
        popExpect(I32);
        popVals(params);
        const height = vals.length;
        pushVals(params);
        let elsePatch = -1;
        let structAt = -1;
        if (emit) {
          structAt = mark(3, -1);
          emitOp(Op.IF);
          code.push(off(h - 1));
          elsePatch = code.push(-1);
          startBlock(false);
        }
        ctrls.push({ op, start: params, end: results, height, unreachable: false, dead: !emit, targetPc: -1, patches: [], elsePatch, structAt });
        break;
      }
      case 0x05: {
        const c = ctrls[ctrls.length - 1] as Ctrl;
        if (c.op !== 0x04) err('else without matching if');
        popVals(c.end);
        if (vals.length !== c.height) err('type mismatch: values remain on the stack at else');
        ctrls.pop();
        const wasLive = !c.dead;
        if (wasLive && !c.unreachable) {
          emitOp(Op.JMP);
          c.patches.push(code.push(-1));
        }
        if (wasLive) {
          code.data[c.elsePatch] = code.length;
          mark(4, -1);
        }
        ctrls.push({ op: 0x05, start: c.start, end: c.end, height: c.height, unreachable: false, dead: c.dead, targetPc: -1, patches: c.patches, elsePatch: -1, structAt: c.structAt });
        pushVals(c.start);
        if (wasLive) startBlock(false);
        break;
      }
      case 0x0b: {
        const c = ctrls[ctrls.length - 1] as Ctrl;
        popVals(c.end);
        if (vals.length !== c.height) err('type mismatch: values remain on the stack at end of block');
        ctrls.pop();
        if (c.op === 0x04) {
          // `if` without `else`: valid only when params equal results (spec 3.3.8.5).
          if (c.start.length !== c.end.length || c.start.some((t, i) => t !== c.end[i])) err('type mismatch: if without else must have matching param and result types');
          if (c.elsePatch >= 0) code.data[c.elsePatch] = code.length;
        }
        for (const p of c.patches) code.data[p] = code.length;
        if (!c.dead && c.op !== 0) {
          if (c.op !== 0x03) structure.data[c.structAt] = code.length;
          mark(5, -1);
        }
        if (ctrls.length === 0) {
          // The function's end: results sit at height 0..n, above the locals; RETURN moves them to the frame base.
          if (fuelAt >= 0) code.data[fuelAt] = fuelCount;
          emitOp(Op.RETURN);
          code.push(off(0));
          code.push(type.results.length * 2);
          if (r.pos !== r.end) throw new DecodeError(r.pos, 'the end of the function body (instructions after the final end)');
          break;
        }
        pushVals(c.end);
        if (live() && (c.patches.length > 0 || c.op === 0x04 || c.op === 0x05)) startBlock(false);
        break;
      }
      case 0x0c: {
        const depth = r.u32('label index');
        if (depth >= ctrls.length) err(`unknown label ${depth}`);
        const target = ctrls[ctrls.length - 1 - depth] as Ctrl;
        const lt = labelTypes(target);
        popVals(lt);
        if (emit) {
          const b = branchTo(depth, lt.length, h);
          if (b.nwords === 0) {
            emitOp(Op.JMP);
            pushTarget(b.c);
          } else {
            emitOp(Op.BR);
            pushTarget(b.c);
            code.push(b.from);
            code.push(b.to);
            code.push(b.nwords);
          }
        }
        setUnreachable();
        break;
      }
      case 0x0d: {
        const depth = r.u32('label index');
        if (depth >= ctrls.length) err(`unknown label ${depth}`);
        popExpect(I32);
        const target = ctrls[ctrls.length - 1 - depth] as Ctrl;
        const lt = labelTypes(target);
        popVals(lt);
        pushVals(lt);
        if (emit) {
          const b = branchTo(depth, lt.length, h - 1);
          if (b.nwords === 0) {
            emitOp(Op.BR_IF);
            code.push(off(h - 1));
            pushTarget(b.c);
          } else {
            emitOp(Op.BR_IF_MOVE);
            code.push(off(h - 1));
            pushTarget(b.c);
            code.push(b.from);
            code.push(b.to);
            code.push(b.nwords);
          }
          startBlock(false);
        }
        break;
      }
      case 0x0e: {
        const nAt = r.pos;
        const n = r.u32('br_table size');
        checkLimit(n, LIMITS.brTableTargets, 'br_table targets', nAt);
        if (n > r.end - r.pos) throw new DecodeError(r.pos, `${n} br_table labels, more than the body holds`);
        const labels: number[] = [];
        for (let i = 0; i <= n; i++) labels.push(r.u32('label index'));
        popExpect(I32);
        const dflt = labels[n] as number;
        if (dflt >= ctrls.length) err(`unknown label ${dflt}`);
        const arity = labelTypes(ctrls[ctrls.length - 1 - dflt] as Ctrl).length;
        for (const l of labels) {
          if (l >= ctrls.length) err(`unknown label ${l}`);
          const lt = labelTypes(ctrls[ctrls.length - 1 - l] as Ctrl);
          if (lt.length !== arity) err('type mismatch: br_table targets have different arities');
          // pop_vals keeps the bottom type of unreachable code, so labels of different types can meet there.
          pushVals(popVals(lt));
        }
        popVals(labelTypes(ctrls[ctrls.length - 1 - dflt] as Ctrl));
        if (emit) {
          emitOp(Op.BR_TABLE);
          code.push(off(h - 1));
          code.push(n);
          for (const l of labels) {
            // Heights here are those before the pops: the values sit at h-1-arity..h-2.
            const c = ctrls[ctrls.length - 1 - l] as Ctrl;
            const from = off(h - 1 - arity);
            const to = off(c.height);
            pushTarget(c);
            code.push(from);
            code.push(to);
            code.push(from === to ? 0 : arity * 2);
          }
        }
        setUnreachable();
        break;
      }
      case 0x0f: {
        popVals(type.results);
        if (emit) {
          emitOp(Op.RETURN);
          code.push(off(h - type.results.length));
          code.push(type.results.length * 2);
        }
        setUnreachable();
        break;
      }
      case 0x10: {
        const fi = r.u32('function index');
        const sig = callSig(fi);
        popVals(sig.params);
        if (emit) {
          emitOp(Op.CALL);
          code.push(fi);
          code.push(off(vals.length));
          code.push(site());
        }
        pushVals(sig.results);
        break;
      }
      case 0x11: {
        const ti = r.u32('type index');
        const tbl = r.u32('table index');
        const tt = needTable(tbl);
        if (tt.elem !== FUNCREF) err('type mismatch: call_indirect needs a funcref table');
        const sig = info.types[ti];
        if (sig === undefined) return err(`unknown type ${ti}`);
        popExpect(I32);
        popVals(sig.params);
        if (emit) {
          emitOp(Op.CALL_INDIRECT);
          code.push(ti);
          code.push(tbl);
          code.push(off(h - 1));
          code.push(off(vals.length));
          code.push(site());
        }
        pushVals(sig.results);
        break;
      }
      case 0x12:
      case 0x13: {
        // Tail calls (3.0, 3.3.8.12): the callee's results must be the function's own; the callee replaces this frame.
        let sig: FuncType;
        let fi = -1;
        let ti = -1;
        let tbl = -1;
        if (op === 0x12) {
          fi = r.u32('function index');
          sig = callSig(fi);
        } else {
          ti = r.u32('type index');
          tbl = r.u32('table index');
          const tt = needTable(tbl);
          if (tt.elem !== FUNCREF) err('type mismatch: return_call_indirect needs a funcref table');
          const t = info.types[ti];
          if (t === undefined) return err(`unknown type ${ti}`);
          sig = t;
          popExpect(I32);
        }
        if (sig.results.length !== type.results.length || sig.results.some((t, i) => t !== type.results[i])) {
          err('type mismatch: a tail call must return the results of the calling function');
        }
        popVals(sig.params);
        if (emit) {
          tailCalls = true;
          if (op === 0x12) {
            emitOp(Op.RETURN_CALL);
            code.push(fi);
          } else {
            emitOp(Op.RETURN_CALL_INDIRECT);
            code.push(ti);
            code.push(tbl);
            code.push(off(h - 1));
          }
          code.push(off(vals.length));
        }
        setUnreachable();
        break;
      }
      case 0x1a:
        pop();
        break;
      case 0x1b:
      case 0x1c: {
        let t: number;
        if (op === 0x1c) {
          const n = r.u32('select type count');
          if (n !== 1) err('invalid result arity: select must have one type');
          t = readValType(r);
          popExpect(I32);
          popExpect(t);
          popExpect(t);
        } else {
          popExpect(I32);
          const t1 = pop();
          const t2 = pop();
          if (isRefType(t1) || isRefType(t2)) err('type mismatch: untyped select needs numeric operands');
          if (t1 !== t2 && t1 !== UNKNOWN && t2 !== UNKNOWN) err(`type mismatch: select operands ${typeName(t2)} and ${typeName(t1)}`);
          t = t1 === UNKNOWN ? t2 : t1;
        }
        push(t);
        if (emit) {
          emitOp(Op.SELECT);
          code.push(off(h - 3));
          code.push(t);
        }
        break;
      }
      case 0x20:
      case 0x21:
      case 0x22: {
        const li = r.u32('local index');
        const t = localTypes[li];
        if (t === undefined) return err(`unknown local ${li}`);
        if (op === 0x20) push(t);
        else {
          popExpect(t);
          if (op === 0x22) push(t);
        }
        if (emit) {
          emitOp(Op.MOV);
          if (op === 0x20) {
            code.push(off(h));
            code.push(li * 2);
          } else {
            code.push(li * 2);
            code.push(off(h - 1));
          }
          code.push(t);
        }
        break;
      }
      case 0x23:
      case 0x24: {
        const gi = r.u32('global index');
        const g = info.globals[gi];
        if (g === undefined) return err(`unknown global ${gi}`);
        if (op === 0x23) push(g.type);
        else {
          if (!g.mutable) err(`global is immutable (global ${gi})`);
          popExpect(g.type);
        }
        if (emit) {
          const ref = g.type === FUNCREF;
          emitOp(op === 0x23 ? (ref ? Op.GLOBAL_GET_REF : Op.GLOBAL_GET) : ref ? Op.GLOBAL_SET_REF : Op.GLOBAL_SET);
          code.push(op === 0x23 ? off(h) : off(h - 1));
          code.push(gi);
          code.push(g.type);
        }
        break;
      }
      case 0x25:
      case 0x26: {
        const ti = r.u32('table index');
        const tt = needTable(ti);
        if (op === 0x25) {
          popExpect(I32);
          push(tt.elem);
        } else {
          popExpect(tt.elem);
          popExpect(I32);
        }
        if (emit) {
          emitOp(op === 0x25 ? Op.TABLE_GET : Op.TABLE_SET);
          code.push(op === 0x25 ? off(h - 1) : off(h - 2));
          code.push(ti);
        }
        break;
      }
      case 0x3f:
      case 0x40: {
        zeroByte(op === 0x3f ? 'memory.size reserved byte' : 'memory.grow reserved byte');
        needMemory();
        if (op === 0x40) popExpect(I32);
        push(I32);
        if (emit) {
          emitOp(op);
          code.push(op === 0x3f ? off(h) : off(h - 1));
        }
        break;
      }
      case 0x41:
        push(I32);
        {
          const v = r.s32('i32 constant');
          if (emit) {
            emitOp(Op.CONST32);
            code.push(off(h));
            code.push(v);
          }
        }
        break;
      case 0x42:
      case 0x44: {
        push(op === 0x42 ? I64 : F64);
        let lo: number;
        let hi: number;
        if (op === 0x42) {
          lo = r.s64('i64 constant');
          hi = r.hi;
        } else {
          lo = r.fixed32('f64 constant');
          hi = r.fixed32('f64 constant');
        }
        if (emit) {
          emitOp(Op.CONST64);
          code.push(off(h));
          code.push(lo);
          code.push(hi);
          code.push(op === 0x42 ? I64 : F64);
        }
        break;
      }
      case 0x43: {
        push(F32);
        const bits = r.fixed32('f32 constant');
        if (emit) {
          emitOp(Op.CONST32);
          code.push(off(h));
          code.push(bits);
        }
        break;
      }
      case 0xd0: {
        const at2 = r.pos;
        const t = r.byte('reference type');
        if (!isRefType(t)) throw new DecodeError(at2, `a reference type (0x70 or 0x6f), found 0x${t.toString(16)}`);
        push(t);
        if (emit) {
          emitOp(Op.CONST32);
          code.push(off(h));
          code.push(0);
        }
        break;
      }
      case 0xd1: {
        const t = pop();
        if (!isRefType(t) && t !== UNKNOWN) err(`type mismatch: ref.is_null needs a reference, found ${typeName(t)}`);
        push(I32);
        if (emit) {
          emitOp(Op.REF_IS_NULL);
          code.push(off(h - 1));
        }
        break;
      }
      case 0xd2: {
        const fi = r.u32('function index');
        callSig(fi);
        if (!declaredRefs.has(fi)) err(`undeclared function reference ${fi}`);
        push(FUNCREF);
        if (emit) {
          emitOp(Op.REF_FUNC);
          code.push(off(h));
          code.push(fi);
        }
        break;
      }
      case 0xfc: {
        const sub = r.u32('0xfc sub-opcode');
        if (sub <= 7) {
          const iop = SAT_BASE + sub;
          const [a, , res] = NUM_SIG[iop] as readonly [number, number, number];
          popExpect(a);
          push(res);
          if (emit) {
            emitOp(iop);
            code.push(off(h - 1));
          }
          break;
        }
        switch (sub) {
          case 8: {
            const seg = r.u32('data segment index');
            zeroByte('memory.init reserved byte');
            needMemory();
            needData(seg);
            popVals([I32, I32, I32]);
            if (emit) {
              emitOp(Op.MEMORY_INIT);
              code.push(off(h - 3));
              code.push(seg);
            }
            break;
          }
          case 9: {
            const seg = r.u32('data segment index');
            needData(seg);
            if (emit) {
              emitOp(Op.DATA_DROP);
              code.push(seg);
            }
            break;
          }
          case 10:
          case 11: {
            zeroByte('memory reserved byte');
            if (sub === 10) zeroByte('memory reserved byte');
            needMemory();
            popVals([I32, sub === 10 ? I32 : I32, I32]);
            if (emit) {
              emitOp(sub === 10 ? Op.MEMORY_COPY : Op.MEMORY_FILL);
              code.push(off(h - 3));
            }
            break;
          }
          case 12: {
            const seg = r.u32('elem segment index');
            const ti = r.u32('table index');
            const tt = needTable(ti);
            const e = needElem(seg);
            if (e.type !== tt.elem) err('type mismatch: table.init element type differs from the table');
            popVals([I32, I32, I32]);
            if (emit) {
              emitOp(Op.TABLE_INIT);
              code.push(off(h - 3));
              code.push(ti);
              code.push(seg);
            }
            break;
          }
          case 13: {
            const seg = r.u32('elem segment index');
            needElem(seg);
            if (emit) {
              emitOp(Op.ELEM_DROP);
              code.push(seg);
            }
            break;
          }
          case 14: {
            const dst = r.u32('table index');
            const src = r.u32('table index');
            const td = needTable(dst);
            const ts = needTable(src);
            if (td.elem !== ts.elem) err('type mismatch: table.copy between tables of different element types');
            popVals([I32, I32, I32]);
            if (emit) {
              emitOp(Op.TABLE_COPY);
              code.push(off(h - 3));
              code.push(dst);
              code.push(src);
            }
            break;
          }
          case 15:
          case 16:
          case 17: {
            const ti = r.u32('table index');
            const tt = needTable(ti);
            if (sub === 15) {
              popVals([tt.elem, I32]);
              push(I32);
            } else if (sub === 16) push(I32);
            else popVals([I32, tt.elem, I32]);
            if (emit) {
              emitOp(sub === 15 ? Op.TABLE_GROW : sub === 16 ? Op.TABLE_SIZE : Op.TABLE_FILL);
              code.push(sub === 15 ? off(h - 2) : sub === 16 ? off(h) : off(h - 3));
              code.push(ti);
            }
            break;
          }
          default:
            throw new DecodeError(at, `a known 0xfc sub-opcode (0-17), found ${sub}`);
        }
        break;
      }
      default: {
        if (op >= 0x28 && op <= 0x3e) {
          const mo = memarg(op);
          const t = MEM_TYPE[op - 0x28] as ValType;
          if (op <= 0x35) {
            popExpect(I32);
            push(t);
          } else {
            popExpect(t);
            popExpect(I32);
          }
          if (emit) {
            // f32 loads and stores move raw bits, like the i32 forms; f64 keeps its own (the JavaScript tier holds f64 as numbers).
            const iop = op === 0x2a ? 0x28 : op === 0x38 ? 0x36 : op;
            emitOp(iop);
            code.push(op <= 0x35 ? off(h - 1) : off(h - 2));
            code.push(mo);
          }
          break;
        }
        const sig = NUM_SIG[op];
        if (sig === undefined || op > 0xc4) throw new DecodeError(at, `a known opcode, found 0x${op.toString(16)}`);
        const [a, b, res] = sig;
        if (b !== 0) popExpect(b);
        popExpect(a);
        push(res);
        if (emit) {
          emitOp(op);
          code.push(off(vals.length - 1));
        }
      }
    }
  }
  return { index, typeIndex, entry, localTypes, frameWords: (nLocals + maxHeight + 1) * 2, codeEnd: code.length, tailCalls };
}

export { isNumType };

import { DecodeError, ImplementationLimitError, ValidationError } from './errors.js';
import { Reader } from './reader.js';
import type {
  ConstExpr,
  DataSegment,
  ElemSegment,
  Export,
  FuncBody,
  FuncType,
  GlobalDef,
  GlobalType,
  Import,
  Limits,
  ModuleInfo,
  RefType,
  TableType,
  ValType,
} from './types.js';
import { EXTERNREF, FUNCREF, funcType, isRefType, F32, F64, I32, I64 } from './types.js';

/**
 * The WebAssembly JS API's implementation-defined limits (JS API, "Implementation-defined Limits",
 * as Node 20's V8 enforces them: wasm-limits.h), so that lang-vm accepts exactly what a browser's
 * engine accepts. `brTableTargets` is V8's own (kV8MaxWasmFunctionBrTableSize); the JS API names none.
 */
export const LIMITS = {
  moduleBytes: 1 << 30,
  types: 1_000_000,
  functions: 1_000_000,
  imports: 100_000,
  exports: 100_000,
  globals: 1_000_000,
  dataSegments: 100_000,
  tables: 100_000,
  tableSize: 10_000_000,
  tableInitEntries: 10_000_000,
  params: 1000,
  results: 1000,
  bodyBytes: 7_654_321,
  /** Including the parameters. */
  locals: 50_000,
  brTableTargets: 65_520,
} as const;
/** Upper bound on a function's locals, parameters included (JS API limit). */
export const MAX_LOCALS = LIMITS.locals;

/** Throws the typed error for a count beyond an implementation limit. */
export function checkLimit(actual: number, maximum: number, limit: string, at: number): void {
  if (actual > maximum) throw new ImplementationLimitError(limit, maximum, actual, at);
}

/**
 * Whether `op` (one byte) starts an instruction of the binary format (spec 5.4, with 3.0's tail
 * calls 0x12/0x13 and the 0xfc prefix). An unknown opcode is malformed (a DecodeError); a known
 * one in the wrong place is invalid (a ValidationError).
 */
export function isKnownOpcode(op: number): boolean {
  return (
    op <= 0x05 || (op >= 0x0b && op <= 0x13) || (op >= 0x1a && op <= 0x1c) || (op >= 0x20 && op <= 0x26) ||
    (op >= 0x28 && op <= 0xc4) || (op >= 0xd0 && op <= 0xd2) || op === 0xfc
  );
}
/** The 0xfc sub-opcodes of 2.0: saturating truncation 0-7, bulk memory and tables 8-17. */
export const MAX_FC_SUBOP = 17;

const SECTION_ORDER: Readonly<Record<number, number>> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7, 8: 8, 9: 9, 12: 10, 10: 11, 11: 12 };

export function readValType(r: Reader): ValType {
  const at = r.pos;
  const t = r.byte('a value type');
  if (t === I32 || t === I64 || t === F32 || t === F64 || t === FUNCREF || t === EXTERNREF) return t;
  return r.fail(`a value type (0x7f i32, 0x7e i64, 0x7d f32, 0x7c f64, 0x70 funcref, 0x6f externref), found 0x${t.toString(16)}`, at);
}

function readRefType(r: Reader): RefType {
  const at = r.pos;
  const t = r.byte('a reference type');
  if (isRefType(t)) return t;
  return r.fail(`a reference type (0x70 funcref, 0x6f externref), found 0x${t.toString(16)}`, at);
}

function readLimits(r: Reader, what: string): Limits {
  const at = r.pos;
  const flag = r.byte(`${what} limits flag`);
  if (flag === 0) return { min: r.u32(`${what} minimum`) };
  if (flag === 1) {
    const min = r.u32(`${what} minimum`);
    return { min, max: r.u32(`${what} maximum`) };
  }
  return r.fail(`${what} limits flag 0x00 or 0x01, found 0x${flag.toString(16)}`, at);
}

function readGlobalType(r: Reader): GlobalType {
  const type = readValType(r);
  const at = r.pos;
  const m = r.byte('global mutability');
  if (m > 1) r.fail(`global mutability 0x00 or 0x01, found 0x${m.toString(16)}`, at);
  return { type, mutable: m === 1 };
}

/**
 * A constant expression (spec 3.3.10): one constant instruction followed by `end`. An opcode the
 * binary format does not define is malformed (DecodeError, "illegal opcode"); a defined one that is
 * not constant is invalid (ValidationError, "constant expression required").
 */
export function readConstExpr(r: Reader): ConstExpr {
  const at = r.pos;
  const op = r.byte('a constant expression');
  let e: ConstExpr;
  switch (op) {
    case 0x41: e = { kind: 'i32', value: r.s32('i32 constant') }; break;
    case 0x42: { const lo = r.s64('i64 constant'); e = { kind: 'i64', lo, hi: r.hi }; break; }
    case 0x43: e = { kind: 'f32', bits: r.fixed32('f32 constant') }; break;
    case 0x44: { const lo = r.fixed32('f64 constant'); e = { kind: 'f64', lo, hi: r.fixed32('f64 constant') }; break; }
    case 0xd0: e = { kind: 'ref.null', type: readRefType(r) }; break;
    case 0xd2: e = { kind: 'ref.func', index: r.u32('function index') }; break;
    case 0x23: e = { kind: 'global.get', index: r.u32('global index') }; break;
    case 0x0b: throw new ValidationError('type mismatch: constant expression is empty', -1, at);
    default: return nonConstant(r, op, at);
  }
  const endAt = r.pos;
  const end = r.byte('end of constant expression');
  if (end !== 0x0b) {
    // More than one instruction: a non-constant one is the error to report (spec 3.3.10), else the stack shape.
    r.pos = endAt;
    for (;;) {
      const at2 = r.pos;
      const op2 = r.byte('end of constant expression');
      if (op2 === 0x0b) break;
      if (op2 === 0x41) r.s32();
      else if (op2 === 0x42) r.s64();
      else if (op2 === 0x43) r.fixed32('f32 constant');
      else if (op2 === 0x44) r.take(8, 'f64 constant');
      else if (op2 === 0xd0) readRefType(r);
      else if (op2 === 0xd2 || op2 === 0x23) r.u32();
      else nonConstant(r, op2, at2);
    }
    throw new ValidationError('type mismatch: a constant expression leaves exactly one value', -1, endAt);
  }
  return e;
}

function nonConstant(r: Reader, op: number, at: number): never {
  if (!isKnownOpcode(op)) throw new DecodeError(at, `a known opcode (illegal opcode 0x${op.toString(16)})`);
  if (op === 0xfc) {
    const subAt = r.pos;
    const sub = r.u32('0xfc sub-opcode');
    if (sub > MAX_FC_SUBOP) throw new DecodeError(subAt, `a known 0xfc sub-opcode (0-${MAX_FC_SUBOP}), found ${sub} (illegal opcode)`);
  }
  throw new ValidationError(`constant expression required (opcode 0x${op.toString(16)} is not constant)`, -1, at);
}

function vec<T>(r: Reader, what: string, item: (i: number) => T, limit?: readonly [number, string]): T[] {
  const at = r.pos;
  const n = r.u32(`${what} count`);
  if (limit !== undefined) checkLimit(n, limit[0], limit[1], at);
  // Every item takes at least one byte: a count beyond the remaining bytes is malformed, not an allocation.
  if (n > r.end - r.pos) r.fail(`${n} ${what} entries, but only ${r.end - r.pos} bytes remain`);
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(item(i));
  return out;
}

/** Decodes a binary module (spec 5.5). Function bodies are only delimited here; the validator reads them. */
export function decodeModule(input: Uint8Array): ModuleInfo {
  const r = new Reader(input);
  checkLimit(input.length, LIMITS.moduleBytes, 'bytes of module', 0);
  const magic = r.fixed32('the magic number \\0asm');
  if (magic !== 0x6d736100) throw new DecodeError(0, 'the magic number \\0asm');
  const version = r.fixed32('version 1');
  if (version !== 1) throw new DecodeError(4, `version 1, found ${version}`);

  const types: FuncType[] = [];
  const imports: Import[] = [];
  const funcTypes: number[] = [];
  const tables: TableType[] = [];
  const memories: Limits[] = [];
  const globals: GlobalType[] = [];
  const globalDefs: GlobalDef[] = [];
  const exports: Export[] = [];
  let start: number | undefined;
  const elems: ElemSegment[] = [];
  const datas: DataSegment[] = [];
  let dataCount: number | undefined;
  const bodies: FuncBody[] = [];
  const customSections: { name: string; data: Uint8Array }[] = [];
  const funcNames = new Map<number, string>();
  let numImportedFuncs = 0;
  let numImportedTables = 0;
  let numImportedMemories = 0;
  let numImportedGlobals = 0;
  let declaredFuncs = 0;
  let sawCode = false;
  let lastOrder = 0;

  while (!r.atEnd) {
    const idAt = r.pos;
    const id = r.byte('a section id');
    const size = r.u32('section size');
    const bodyStart = r.pos;
    if (size > input.length - bodyStart) r.fail(`a section of ${size} bytes, but only ${input.length - bodyStart} remain`, idAt);
    const s = new Reader(input, bodyStart, bodyStart + size);
    if (id !== 0) {
      const order = SECTION_ORDER[id];
      if (order === undefined) return r.fail(`a known section id (0-12), found ${id}`, idAt);
      if (order <= lastOrder) r.fail(`sections in order without duplicates (section ${id} is out of order)`, idAt);
      lastOrder = order;
    }
    switch (id) {
      case 0: {
        const name = s.name('custom section name');
        const data = input.subarray(s.pos, s.end);
        customSections.push({ name, data });
        if (name === 'name') readFunctionNames(new Reader(input, s.pos, s.end), funcNames);
        s.pos = s.end;
        break;
      }
      case 1:
        vec(s, 'type', () => {
          const at = s.pos;
          const form = s.byte('function type 0x60');
          if (form !== 0x60) s.fail(`function type 0x60, found 0x${form.toString(16)}`, at);
          const params = vec(s, 'parameter', () => readValType(s), [LIMITS.params, 'parameters per function type']);
          const results = vec(s, 'result', () => readValType(s), [LIMITS.results, 'results per function type']);
          types.push(funcType(params, results));
        }, [LIMITS.types, 'types']);
        break;
      case 2:
        vec(s, 'import', () => {
          const offset = s.pos;
          const module = s.name('import module name');
          const name = s.name('import name');
          const kindAt = s.pos;
          const kind = s.byte('import kind');
          switch (kind) {
            case 0: {
              const typeIndex = s.u32('type index');
              imports.push({ module, name, offset, desc: { kind: 'function', typeIndex } });
              funcTypes.push(typeIndex);
              numImportedFuncs++;
              break;
            }
            case 1: {
              const elem = readRefType(s);
              const type = { elem, limits: readLimits(s, 'table') };
              imports.push({ module, name, offset, desc: { kind: 'table', type } });
              tables.push(type);
              numImportedTables++;
              break;
            }
            case 2: {
              const limits = readLimits(s, 'memory');
              imports.push({ module, name, offset, desc: { kind: 'memory', limits } });
              memories.push(limits);
              numImportedMemories++;
              break;
            }
            case 3: {
              const type = readGlobalType(s);
              imports.push({ module, name, offset, desc: { kind: 'global', type } });
              globals.push(type);
              numImportedGlobals++;
              break;
            }
            default:
              s.fail(`import kind 0-3, found ${kind}`, kindAt);
          }
        }, [LIMITS.imports, 'imports']);
        break;
      case 3:
        vec(s, 'function', () => {
          funcTypes.push(s.u32('type index'));
          declaredFuncs++;
        }, [LIMITS.functions, 'functions']);
        break;
      case 4: {
        const at = s.pos;
        vec(s, 'table', () => {
          const elem = readRefType(s);
          tables.push({ elem, limits: readLimits(s, 'table') });
        });
        checkLimit(tables.length, LIMITS.tables, 'tables (imported ones included)', at);
        break;
      }
        break;
      case 5:
        vec(s, 'memory', () => memories.push(readLimits(s, 'memory')));
        break;
      case 6:
        vec(s, 'global', () => {
          const offset = s.pos;
          const type = readGlobalType(s);
          globals.push(type);
          globalDefs.push({ type, init: readConstExpr(s), offset });
        }, [LIMITS.globals, 'globals']);
        break;
      case 7:
        vec(s, 'export', () => {
          const offset = s.pos;
          const name = s.name('export name');
          const kindAt = s.pos;
          const k = s.byte('export kind');
          if (k > 3) s.fail(`export kind 0-3, found ${k}`, kindAt);
          const kind = (['function', 'table', 'memory', 'global'] as const)[k] ?? 'function';
          exports.push({ name, kind, index: s.u32('export index'), offset });
        }, [LIMITS.exports, 'exports']);
        break;
      case 8:
        start = s.u32('start function index');
        break;
      case 9:
        vec(s, 'element segment', () => elems.push(readElem(s)));
        break;
      case 12: {
        const at = s.pos;
        dataCount = s.u32('data count');
        checkLimit(dataCount, LIMITS.dataSegments, 'data segments', at);
        break;
      }
      case 10: {
        sawCode = true;
        const countAt = s.pos;
        const n = s.u32('code count');
        if (n !== declaredFuncs) s.fail(`${declaredFuncs} function bodies (one per function section entry), found ${n}`, countAt);
        for (let i = 0; i < n; i++) {
          const sizeAt = s.pos;
          const size = s.u32('function body size');
          const at = s.pos;
          if (size > s.end - at) s.fail(`a function body of ${size} bytes inside the code section`, at);
          checkLimit(size, LIMITS.bodyBytes, 'bytes of function body', sizeAt);
          const nParams = types[funcTypes[numImportedFuncs + i] as number]?.params.length ?? 0;
          const b = new Reader(input, at, at + size);
          const locals: ValType[] = [];
          let declared = 0;
          const localsAt = b.pos;
          const groups = b.u32('local declaration count');
          const decls: [number, ValType][] = [];
          for (let g = 0; g < groups; g++) {
            const countAt2 = b.pos;
            const count = b.u32('local count');
            declared += count;
            // 2^32 or more locals is malformed (spec 5.5.13); more than the JS API allows is over a limit, checked below.
            if (declared > 0xffffffff) b.fail('at most 2^32-1 locals (too many locals)', countAt2);
            decls.push([count, readValType(b)]);
          }
          checkLimit(declared + nParams, MAX_LOCALS, 'locals per function (parameters included)', localsAt);
          for (const [count, t] of decls) for (let k = 0; k < count; k++) locals.push(t);
          if (b.pos >= b.end) b.fail('a function body ending with end (0x0b)');
          if (input[b.end - 1] !== 0x0b) b.fail('a function body ending with end (0x0b)', b.end - 1);
          bodies.push({ locals, start: b.pos, end: b.end });
          s.pos = at + size;
        }
        break;
      }
      case 11: {
        const countAt = s.pos;
        const n = s.u32('data count');
        checkLimit(n, LIMITS.dataSegments, 'data segments', countAt);
        if (dataCount !== undefined && n !== dataCount) {
          s.fail(`${dataCount} data segments (as the data count section says), found ${n}`, countAt);
        }
        for (let i = 0; i < n; i++) datas.push(readData(s));
        break;
      }
    }
    if (s.pos !== s.end) r.fail(`section ${id} to end at byte 0x${s.end.toString(16)} (section size mismatch)`, s.pos);
    r.pos = s.end;
  }
  if (!sawCode && declaredFuncs > 0) r.fail(`a code section with ${declaredFuncs} function bodies (function and code section have inconsistent lengths)`);
  if (dataCount !== undefined && datas.length !== dataCount) {
    r.fail(`${dataCount} data segments (data count and data section have inconsistent lengths)`);
  }

  return {
    bytes: input,
    types,
    imports,
    funcTypes,
    numImportedFuncs,
    tables,
    numImportedTables,
    memories,
    numImportedMemories,
    globals,
    numImportedGlobals,
    globalDefs,
    exports,
    start,
    elems,
    datas,
    dataCount,
    bodies,
    customSections,
    funcNames,
  };
}

function readElem(s: Reader): ElemSegment {
  const offset = s.pos;
  const flags = s.u32('element segment flags');
  if (flags > 7) s.fail(`element segment flags 0-7, found ${flags}`, offset);
  const passiveOrDecl = (flags & 1) !== 0;
  const explicitTable = (flags & 2) !== 0;
  const exprs = (flags & 4) !== 0;
  const mode = passiveOrDecl ? (explicitTable ? 'declarative' : 'passive') : 'active';
  let table = 0;
  let offsetExpr: ConstExpr | undefined;
  if (!passiveOrDecl) {
    if (explicitTable) table = s.u32('table index');
    offsetExpr = readConstExpr(s);
  }
  let type: RefType = FUNCREF;
  if (passiveOrDecl || explicitTable) {
    if (exprs) type = readRefType(s);
    else {
      const at = s.pos;
      const kind = s.byte('element kind');
      if (kind !== 0) s.fail(`element kind 0x00 (funcref), found 0x${kind.toString(16)}`, at);
    }
  }
  const limit = [LIMITS.tableInitEntries, 'entries in an element segment'] as const;
  const init = exprs
    ? vec(s, 'element expression', () => readConstExpr(s), limit)
    : vec(s, 'element function index', (): ConstExpr => ({ kind: 'ref.func', index: s.u32('function index') }), limit);
  return { mode, table, offsetExpr, type, init, offset };
}

function readData(s: Reader): DataSegment {
  const offset = s.pos;
  const flags = s.u32('data segment flags');
  if (flags > 2) s.fail(`data segment flags 0-2, found ${flags}`, offset);
  if (flags === 1) {
    const n = s.u32('data length');
    return { mode: 'passive', memory: 0, bytes: s.take(n, 'data bytes'), offset };
  }
  const memory = flags === 2 ? s.u32('memory index') : 0;
  const offsetExpr = readConstExpr(s);
  const n = s.u32('data length');
  return { mode: 'active', memory, offsetExpr, bytes: s.take(n, 'data bytes'), offset };
}

/** The function-names subsection of the `name` section; a malformed one is ignored (spec 7.4: custom). */
function readFunctionNames(r: Reader, names: Map<number, string>): void {
  try {
    while (!r.atEnd) {
      const id = r.byte();
      const size = r.u32();
      const end = r.pos + size;
      if (id === 1) {
        const n = r.u32();
        for (let i = 0; i < n; i++) {
          const idx = r.u32();
          names.set(idx, r.name());
        }
      }
      r.pos = end;
    }
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
  }
}

/** Value types (spec 2.3) by their binary encoding (spec 5.3). */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const FUNCREF = 0x70;
export const EXTERNREF = 0x6f;
/** The validator's "unknown" operand type of unreachable code (spec 3.3, appendix algorithm). */
export const UNKNOWN = 0;

export type ValType = typeof I32 | typeof I64 | typeof F32 | typeof F64 | typeof FUNCREF | typeof EXTERNREF;
export type RefType = typeof FUNCREF | typeof EXTERNREF;

export const isNumType = (t: number): boolean => t === I32 || t === I64 || t === F32 || t === F64;
export const isRefType = (t: number): t is RefType => t === FUNCREF || t === EXTERNREF;

export function typeName(t: number): string {
  switch (t) {
    case I32: return 'i32';
    case I64: return 'i64';
    case F32: return 'f32';
    case F64: return 'f64';
    case FUNCREF: return 'funcref';
    case EXTERNREF: return 'externref';
    default: return 'unknown';
  }
}

export interface FuncType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  /** Structural identity: equal keys mean equal types (spec 3.2.3), used by call_indirect. */
  readonly key: string;
}

export function funcType(params: readonly ValType[], results: readonly ValType[]): FuncType {
  return { params, results, key: `${params.map(typeName).join(',')}->${results.map(typeName).join(',')}` };
}

export interface Limits {
  readonly min: number;
  readonly max?: number;
}

export interface TableType {
  readonly elem: RefType;
  readonly limits: Limits;
}

export interface GlobalType {
  readonly type: ValType;
  readonly mutable: boolean;
}

/** A constant expression (spec 3.3.10), already decoded: one value-producing instruction. */
export type ConstExpr =
  | { readonly kind: 'i32'; readonly value: number }
  | { readonly kind: 'i64'; readonly lo: number; readonly hi: number }
  | { readonly kind: 'f32'; readonly bits: number }
  | { readonly kind: 'f64'; readonly lo: number; readonly hi: number }
  | { readonly kind: 'ref.null'; readonly type: RefType }
  | { readonly kind: 'ref.func'; readonly index: number }
  | { readonly kind: 'global.get'; readonly index: number };

export type ExternKind = 'function' | 'table' | 'memory' | 'global';

export type ImportDesc =
  | { readonly kind: 'function'; readonly typeIndex: number }
  | { readonly kind: 'table'; readonly type: TableType }
  | { readonly kind: 'memory'; readonly limits: Limits }
  | { readonly kind: 'global'; readonly type: GlobalType };

export interface Import {
  readonly module: string;
  readonly name: string;
  readonly desc: ImportDesc;
  readonly offset: number;
}

export interface Export {
  readonly name: string;
  readonly kind: ExternKind;
  readonly index: number;
  readonly offset: number;
}

export interface GlobalDef {
  readonly type: GlobalType;
  readonly init: ConstExpr;
  readonly offset: number;
}

export interface ElemSegment {
  readonly mode: 'active' | 'passive' | 'declarative';
  readonly table: number;
  readonly offsetExpr?: ConstExpr;
  readonly type: RefType;
  readonly init: readonly ConstExpr[];
  readonly offset: number;
}

export interface DataSegment {
  readonly mode: 'active' | 'passive';
  readonly memory: number;
  readonly offsetExpr?: ConstExpr;
  readonly bytes: Uint8Array;
  readonly offset: number;
}

export interface FuncBody {
  /** Declared locals (params excluded), expanded. */
  readonly locals: readonly ValType[];
  /** Byte range of the instruction sequence, `end` exclusive (after the final `end` opcode). */
  readonly start: number;
  readonly end: number;
}

/** A decoded module (spec 2.5); function bodies are validated and prepared later. */
export interface ModuleInfo {
  readonly bytes: Uint8Array;
  readonly types: readonly FuncType[];
  readonly imports: readonly Import[];
  /** Type index of every function, imported ones first. */
  readonly funcTypes: readonly number[];
  readonly numImportedFuncs: number;
  readonly tables: readonly TableType[];
  readonly numImportedTables: number;
  readonly memories: readonly Limits[];
  readonly numImportedMemories: number;
  readonly globals: readonly GlobalType[];
  readonly numImportedGlobals: number;
  readonly globalDefs: readonly GlobalDef[];
  readonly exports: readonly Export[];
  readonly start?: number;
  readonly elems: readonly ElemSegment[];
  readonly datas: readonly DataSegment[];
  readonly dataCount?: number;
  readonly bodies: readonly FuncBody[];
  readonly customSections: readonly { readonly name: string; readonly data: Uint8Array }[];
  /** Function names from the `name` custom section, when present and well-formed. */
  readonly funcNames: ReadonlyMap<number, string>;
}

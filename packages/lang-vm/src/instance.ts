import { LIMITS, decodeModule } from './decoder.js';
import { FuelExhausted, LinkError, Trap, WasmError } from './errors.js';
import { runTiered } from './interpreter.js';
import { compileTier } from './js-tier.js';
import type { Limits as ResourceLimits } from './machine.js';
import { DEFAULT_LIMITS, Machine, checkResourceLimits } from './machine.js';
import type { FuncInstance } from './runtime.js';
import { Global, Memory, Table, describeType, funcForCallable, linkError, registerFunc, typeIdOf } from './runtime.js';
import type { ConstExpr, ExternKind, FuncType, Limits } from './types.js';
import { EXTERNREF, FUNCREF, I64, typeName } from './types.js';
import type { CompiledModule } from './validator.js';
import { validateModule } from './validator.js';
import { warmUpModule } from './warm-up.js';
import { ProcExit } from './wasi.js';

/** Module bytes, as the JS API accepts them. */
export type BufferSource = ArrayBuffer | ArrayBufferView;

/** A compiled module (decoded and validated), shaped like WebAssembly.Module. */
export class Module {
  readonly compiled: CompiledModule;
  constructor(bytes: BufferSource) {
    const u8 = bytes instanceof Uint8Array ? bytes : ArrayBuffer.isView(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes);
    this.compiled = validateModule(decodeModule(u8));
  }
  static exports(m: Module): { name: string; kind: ExternKind }[] {
    return m.compiled.info.exports.map((e) => ({ name: e.name, kind: e.kind }));
  }
  static imports(m: Module): { module: string; name: string; kind: ExternKind }[] {
    return m.compiled.info.imports.map((i) => ({ module: i.module, name: i.name, kind: i.desc.kind }));
  }
  static customSections(m: Module, name: string): ArrayBuffer[] {
    return m.compiled.info.customSections.filter((s) => s.name === name).map((s) => s.data.slice().buffer);
  }
}

export type Imports = Readonly<Record<string, Readonly<Record<string, unknown>> | undefined>>;

export interface InstanceOptions extends ResourceLimits {
  /**
   * `js` (default) compiles every function to JavaScript at instantiation; `interpreter` runs the
   * internal code directly. Both meter fuel identically and pass the same conformance suite.
   */
  readonly tier?: 'js' | 'interpreter';
}

/**
 * What `instance.call` returns: the results, a clean stop for lack of fuel (then `continue`), or
 * the guest's exit through WASI `proc_exit` with its status.
 */
export type CallResult =
  | { readonly status: 'returned'; readonly value: unknown }
  | { readonly status: 'fuel-exhausted' }
  | { readonly status: 'exited'; readonly code: number };

const EMPTY: Readonly<Record<string, unknown>> = {};

let warmedUp = false;
/** Runs `warmUpModule` once per process on the interpreter (see warm-up.ts). */
function warmUpInterpreter(): void {
  if (warmedUp) return;
  warmedUp = true;
  const inst = new Instance(new Module(warmUpModule()), { env: { h: (x: number) => x } }, { tier: 'interpreter' });
  for (let i = 0; i < 3; i++) (inst.exports.run as () => void)();
}

/**
 * An instance (spec 4.5.4), shaped like WebAssembly.Instance, plus the metering an embedder needs:
 * fuel (with suspend and resume), a memory-page cap and a call-depth cap.
 */
export class Instance {
  readonly exports: Readonly<Record<string, unknown>>;
  readonly machine: Machine;

  constructor(module: Module, importObject: Imports = {}, options: InstanceOptions = {}) {
    checkResourceLimits(options);
    if (options.tier !== undefined && options.tier !== 'js' && options.tier !== 'interpreter') {
      throw new RangeError(`instance option tier must be 'js' or 'interpreter', got ${String(options.tier)}`);
    }
    warmUpInterpreter();
    const c = module.compiled;
    const info = c.info;
    const funcs: FuncInstance[] = [];
    const tables: Table[] = [];
    const globals: Global[] = [];
    let memory: Memory | undefined;
    const cap = options.maxMemoryPages ?? DEFAULT_LIMITS.maxMemoryPages;

    for (const imp of info.imports) {
      const ns = importObject[imp.module];
      if (ns === undefined || ns === null || typeof ns !== 'object') throw linkError(imp.module, imp.name, `module '${imp.module}' is not in the import object`);
      const v = ns[imp.name];
      switch (imp.desc.kind) {
        case 'function': {
          const type = info.types[imp.desc.typeIndex] as FuncType;
          if (typeof v !== 'function') throw linkError(imp.module, imp.name, `expected a function of type ${describeType(type)}, got ${typeof v}`);
          const f = funcForCallable(v as (...args: unknown[]) => unknown, type) as FuncInstance;
          if (f.type.key !== type.key) throw linkError(imp.module, imp.name, `function type ${describeType(f.type)} does not match ${describeType(type)}`);
          funcs.push(f);
          break;
        }
        case 'memory': {
          if (!(v instanceof Memory)) throw linkError(imp.module, imp.name, 'expected a lang-vm Memory');
          checkLimits(imp.module, imp.name, 'memory', v.pages, v.maximum, imp.desc.limits);
          memory = v;
          break;
        }
        case 'table': {
          if (!(v instanceof Table)) throw linkError(imp.module, imp.name, 'expected a lang-vm Table');
          if (v.elem !== imp.desc.type.elem) throw linkError(imp.module, imp.name, `table of ${typeName(v.elem)}, expected ${typeName(imp.desc.type.elem)}`);
          checkLimits(imp.module, imp.name, 'table', v.length, v.maximum, imp.desc.type.limits);
          tables.push(v);
          break;
        }
        case 'global': {
          const gt = imp.desc.type;
          if (v instanceof Global) {
            if (v.type !== gt.type || v.mutable !== gt.mutable) {
              throw linkError(imp.module, imp.name, `global ${v.mutable ? 'mut ' : ''}${typeName(v.type)} does not match ${gt.mutable ? 'mut ' : ''}${typeName(gt.type)}`);
            }
            globals.push(v);
          } else if (!gt.mutable && (typeof v === 'number' || typeof v === 'bigint')) {
            if ((gt.type === I64) !== (typeof v === 'bigint')) throw linkError(imp.module, imp.name, `a ${typeof v} cannot be a ${typeName(gt.type)} global`);
            globals.push(new Global({ value: typeName(gt.type) as 'i32' }, v));
          } else throw linkError(imp.module, imp.name, `expected a Global${gt.mutable ? ' (mutable imports need a Global object)' : ' or a number'}`);
          break;
        }
      }
    }

    const ownMemory = info.memories[info.numImportedMemories];
    if (ownMemory !== undefined) {
      if (ownMemory.min > cap) throw new LinkError(`memory of ${ownMemory.min} pages exceeds the instance cap of ${cap} pages`);
      memory = new Memory({ initial: ownMemory.min, maximum: ownMemory.max });
    }
    memory ??= new Memory({ initial: 0, maximum: 0 });
    if (memory.pages > cap) throw new LinkError(`memory of ${memory.pages} pages exceeds the instance cap of ${cap} pages`);
    memory.cap = Math.min(memory.cap, cap);
    const m = new Machine(c, memory, options);
    this.machine = m;

    for (let i = 0; i < c.funcs.length; i++) {
      const index = info.numImportedFuncs + i;
      const type = info.types[info.funcTypes[index] as number] as FuncType;
      const callable = (...args: unknown[]) => m.invoke(index, args);
      funcs.push(registerFunc((handle) => ({ handle, type, typeId: typeIdOf(type), callable, owner: m, index })));
    }
    m.funcs.push(...funcs);
    for (const f of funcs) m.refs.set(f.handle, f);
    for (let i = 0; i < info.types.length; i++) m.typeIdOfType[i] = typeIdOf(info.types[i] as FuncType);

    const evalConst = (e: ConstExpr, out: Int32Array) => {
      switch (e.kind) {
        case 'i32': out[0] = e.value; break;
        case 'f32': out[0] = e.bits; break;
        case 'i64':
        case 'f64': out[0] = e.lo; out[1] = e.hi; break;
        case 'ref.null': out[0] = 0; break;
        case 'ref.func': out[0] = (funcs[e.index] as FuncInstance).handle; break;
        case 'global.get': {
          const g = globals[e.index] as Global;
          out.set(g.cell);
          if (g.fn !== undefined) m.refs.set(g.fn.handle, g.fn);
          break;
        }
      }
    };
    for (const g of info.globalDefs) {
      const gl = new Global({ value: typeName(g.type.type) as 'i32', mutable: g.type.mutable });
      evalConst(g.init, gl.cell);
      if (g.type.type === FUNCREF && gl.cell[0] !== 0) gl.fn = m.refs.get(gl.cell[0] as number);
      globals.push(gl);
    }
    for (const t of info.tables.slice(info.numImportedTables)) {
      // JS API: a table may hold at most 10 000 000 elements; V8 checks it here too (its RangeError), we link-fail.
      if (t.limits.min > LIMITS.tableSize) {
        throw new LinkError(`table of ${t.limits.min} elements exceeds the implementation limit of ${LIMITS.tableSize} elements`);
      }
      tables.push(new Table({ element: t.elem === EXTERNREF ? 'externref' : 'funcref', initial: t.limits.min, maximum: t.limits.max }));
    }
    m.tables.push(...tables);
    m.globals.push(...globals.map((g) => g.cell));
    m.globalObjects.push(...globals);

    const exports: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const e of info.exports) {
      switch (e.kind) {
        case 'function': exports[e.name] = (funcs[e.index] as FuncInstance).callable; break;
        case 'table': exports[e.name] = tables[e.index]; break;
        case 'memory': exports[e.name] = memory; break;
        case 'global': exports[e.name] = globals[e.index]; break;
      }
    }
    this.exports = Object.freeze(exports);
    if ((options.tier ?? 'js') === 'js' && c.funcs.length > 0) {
      m.tier = compileTier(m);
      if (m.tier !== undefined) m.runner = runTiered;
    }

    // Segments (spec 4.5.4 steps 12-15): element segments first, then data; active ones are applied then dropped.
    const cell = new Int32Array(2);
    for (const el of info.elems) {
      const handles = new Int32Array(el.init.length);
      el.init.forEach((e, i) => {
        evalConst(e, cell);
        handles[i] = cell[0] as number;
      });
      if (el.mode === 'passive') {
        m.elems.push(handles);
        continue;
      }
      m.elems.push(null);
      if (el.mode === 'active') {
        evalConst(el.offsetExpr as ConstExpr, cell);
        const at = (cell[0] as number) >>> 0;
        const t = tables[el.table] as Table;
        if (at + handles.length > t.length) throw new Trap('out of bounds table access', `element segment at ${at} + ${handles.length} > table size ${t.length}`);
        for (let k = 0; k < handles.length; k++) {
          const h = handles[k] as number;
          t.put(at + k, h, h === 0 || t.elem !== FUNCREF ? undefined : m.refs.get(h));
        }
      }
    }
    for (const d of info.datas) {
      if (d.mode === 'passive') {
        m.datas.push(d.bytes);
        continue;
      }
      m.datas.push(null);
      evalConst(d.offsetExpr as ConstExpr, cell);
      const at = (cell[0] as number) >>> 0;
      if (at + d.bytes.length > memory.u8.length) {
        throw new Trap('out of bounds memory access', `data segment at ${at} + ${d.bytes.length} > memory size ${memory.u8.length}`);
      }
      memory.u8.set(d.bytes, at);
    }
    if (info.start !== undefined) m.invoke(info.start, []);
  }

  /** Fuel left (instructions); may be slightly negative after a stop (fuel is charged per basic block). */
  get fuel(): number {
    return this.machine.fuel;
  }
  set fuel(n: number) {
    checkResourceLimits({ fuel: n });
    this.machine.fuel = n === Infinity ? Number.MAX_SAFE_INTEGER : n;
  }
  addFuel(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`addFuel needs a non-negative integer, got ${String(n)}`);
    this.machine.fuel = Math.min(this.machine.fuel + n, Number.MAX_SAFE_INTEGER);
  }
  /** True after a call stopped for lack of fuel and before it was resumed or aborted. */
  get suspended(): boolean {
    return this.machine.suspended !== null;
  }
  /** Continues the suspended call; returns its results, or throws `FuelExhausted` again. */
  resume(): unknown {
    return this.machine.resume();
  }
  abort(): void {
    this.machine.abort();
  }
  /** Calls an export without throwing on fuel exhaustion. */
  call(name: string, ...args: unknown[]): CallResult {
    const f = this.exports[name];
    if (typeof f !== 'function') throw new WasmError(`no exported function '${name}'`);
    return settle(() => (f as (...a: unknown[]) => unknown)(...args));
  }
  /** `resume()` without throwing on fuel exhaustion. */
  continue(): CallResult {
    return settle(() => this.machine.resume());
  }
}

function settle(f: () => unknown): CallResult {
  try {
    return { status: 'returned', value: f() };
  } catch (e) {
    if (e instanceof FuelExhausted) return { status: 'fuel-exhausted' };
    if (e instanceof ProcExit) return { status: 'exited', code: e.code };
    throw e;
  }
}

function checkLimits(module: string, name: string, what: string, size: number, max: number | undefined, want: Limits): void {
  if (size < want.min) throw linkError(module, name, `${what} of size ${size} is smaller than the required minimum ${want.min}`);
  if (want.max !== undefined) {
    if (max === undefined) throw linkError(module, name, `${what} has no maximum, the import requires at most ${want.max}`);
    if (max > want.max) throw linkError(module, name, `${what} maximum ${max} exceeds the required maximum ${want.max}`);
  }
}

/** WebAssembly.validate. */
export function validate(bytes: BufferSource): boolean {
  try {
    new Module(bytes);
    return true;
  } catch (e) {
    if (e instanceof WasmError) return false;
    throw e;
  }
}

/** WebAssembly.compile. */
export function compile(bytes: BufferSource): Promise<Module> {
  return Promise.resolve().then(() => new Module(bytes));
}

/** WebAssembly.instantiate: from bytes gives `{ module, instance }`, from a Module gives the instance. */
export function instantiate(bytes: BufferSource, imports?: Imports, options?: InstanceOptions): Promise<{ module: Module; instance: Instance }>;
export function instantiate(module: Module, imports?: Imports, options?: InstanceOptions): Promise<Instance>;
export function instantiate(
  source: BufferSource | Module,
  imports: Imports = EMPTY as Imports,
  options: InstanceOptions = {},
): Promise<Instance | { module: Module; instance: Instance }> {
  return Promise.resolve().then(() => {
    if (source instanceof Module) return new Instance(source, imports, options);
    const module = new Module(source);
    return { module, instance: new Instance(module, imports, options) };
  });
}

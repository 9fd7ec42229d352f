// lang-vm's decoder, validator and instantiation against V8 (Node's WebAssembly), the real peer:
// the same accept/reject verdict for every input inside the WebAssembly 2.0 feature set. What V8
// accepts beyond 2.0 (its shipped post-2.0 proposals) is told apart by where lang-vm stops; what
// lang-vm is known to leave out inside 2.0 is a named entry below, counted in every report.
import { readFileSync } from 'node:fs';
import { guestImage } from '@virtlab/guest';
import { CompileError, DecodeError, FuelExhausted, Global, Instance, Memory, Module, Table, Trap, WasmError, type Imports } from '@virtlab/lang-vm';
import wabtInit from 'wabt';
import { Disagreement, type FuzzTarget, type Verdict } from '../engine.js';
import { mutateWasm } from './wasm-structure.js';

interface V8Api {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => object;
  Memory: new (d: object) => object;
  Table: new (d: object) => object;
  Global: new (d: object, v: unknown) => object;
}
const V8 = (globalThis as unknown as { WebAssembly: V8Api }).WebAssembly;

/** What lang-vm said about an input V8 judged otherwise. */
export interface Case {
  readonly bytes: Uint8Array;
  readonly stage: 'validate' | 'instantiate';
  readonly v8Accepts: boolean;
  /** lang-vm's error (class and message), when it refused. */
  readonly ours?: { readonly name: string; readonly message: string; readonly offset?: number };
}

export interface KnownEntry {
  readonly name: string;
  readonly matches: (c: Case) => boolean;
}

const opcodeAt = (c: Case) => (c.ours?.offset === undefined ? undefined : c.bytes[c.ours.offset]);
const refusedOpcode = (c: Case, opcodes: readonly number[]) =>
  c.v8Accepts && c.ours?.name === 'DecodeError' && /expected a known opcode/.test(c.ours.message) && opcodes.includes(opcodeAt(c) ?? -1);

/**
 * Inputs V8 accepts with proposals it ships beyond WebAssembly 2.0 (Node 20 = V8 11.3): outside
 * the feature set this target compares, so not disagreements. Each is recognised by lang-vm's
 * refusal at the construct (the decoder names the offset of the unknown opcode or section).
 */
export const OUTSIDE_WASM_2_0: readonly KnownEntry[] = [
  { name: 'exception handling (try/catch/throw/rethrow/delegate/catch_all, tag section)', matches: (c) => refusedOpcode(c, [0x06, 0x07, 0x08, 0x09, 0x18, 0x19]) || (c.v8Accepts && /known section id .*found 13/.test(c.ours?.message ?? '')) },
  { name: 'threads (atomics under 0xfe, shared memories)', matches: (c) => refusedOpcode(c, [0xfe]) || (c.v8Accepts && /limits/.test(c.ours?.message ?? '') && [2, 3].includes(opcodeAt(c) ?? -1)) },
];

/**
 * Disagreements inside WebAssembly 2.0 that are known and not fixed here (lang-vm's source
 * belongs to its own branch): each is listed by name, counted in every run and printed.
 */
export const KNOWN_DISAGREEMENTS: readonly KnownEntry[] = [

  { name: 'SIMD (0xfd prefix): in WebAssembly 2.0, left out by lang-vm (its README: "without SIMD")', matches: (c) => refusedOpcode(c, [0xfd]) || (c.v8Accepts && /0x7b|v128/.test(c.ours?.message ?? '')) },
];

/**
 * lang-vm defects this target finds that are not disagreements of verdict (reported, not fixed
 * here), each with a reproducer module (hex bytes) and what to do with it. Empty since the langvm
 * branch made dropped instances collectable (the test suite keeps checking that they are).
 */
export const KNOWN_LANG_VM_DEFECTS: readonly { readonly name: string; readonly reproducer: string; readonly how: string }[] = [];

function classify(c: Case): string | undefined {
  const outside = OUTSIDE_WASM_2_0.find((k) => k.matches(c));
  if (outside !== undefined) return `outside 2.0: ${outside.name}`;
  return KNOWN_DISAGREEMENTS.find((k) => k.matches(c))?.name;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

/** Resource caps of the comparison: a module asking for more is compared on validation only. */
const MAX_PAGES = 256;
const MAX_TABLE = 10_000;
const FUEL = 100_000;

const zero = (t: number | undefined) => (t === 0x7e ? 0n : t === 0x70 || t === 0x6f ? null : 0);
const VALUE = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x70: 'anyfunc', 0x6f: 'externref' } as const;

/** Import objects for both engines: each import a stub of its declared type, or undefined when one cannot be made. */
function importsFor(module: Module): { ours: Imports; v8: Record<string, Record<string, unknown>> } | undefined {
  const info = module.compiled.info;
  const ours: Record<string, Record<string, unknown>> = {};
  const v8: Record<string, Record<string, unknown>> = {};
  try {
    for (const imp of info.imports) {
      const d = imp.desc;
      let mine: unknown;
      let theirs: unknown;
      if (d.kind === 'function') {
        const results = info.types[d.typeIndex]?.results ?? [];
        const value = results.length > 1 ? () => results.map(zero) : () => (results.length === 0 ? undefined : zero(results[0]));
        mine = value;
        theirs = value;
      } else if (d.kind === 'memory') {
        if (d.limits.min > MAX_PAGES) return undefined;
        mine = new Memory({ initial: d.limits.min, maximum: d.limits.max });
        theirs = new V8.Memory({ initial: d.limits.min, maximum: d.limits.max });
      } else if (d.kind === 'table') {
        if (d.type.limits.min > MAX_TABLE) return undefined;
        const element = d.type.elem === 0x70 ? 'anyfunc' : 'externref';
        mine = new Table({ element, initial: d.type.limits.min, maximum: d.type.limits.max });
        theirs = new V8.Table({ element, initial: d.type.limits.min, maximum: d.type.limits.max });
      } else {
        const value = VALUE[d.type.type];
        if (value === undefined) return undefined;
        mine = new Global({ value, mutable: d.type.mutable }, zero(d.type.type));
        theirs = new V8.Global({ value, mutable: d.type.mutable }, zero(d.type.type));
      }
      (ours[imp.module] ??= {})[imp.name] = mine;
      (v8[imp.module] ??= {})[imp.name] = theirs;
    }
  } catch {
    return undefined;
  }
  return { ours, v8 };
}

const tooBig = (module: Module) => {
  const info = module.compiled.info;
  return info.memories.some((m) => m.min > MAX_PAGES) || info.tables.some((t) => t.limits.min > MAX_TABLE);
};

/** Instantiates in both engines: 'same', or 'skipped' when the comparison cannot be fair; throws a Disagreement otherwise. */
/**
 * Untyped exceptions lang-vm is known to throw, each named, counted and printed, never passed
 * silently; anything else untyped is a finding. Empty since the langvm branch (issue 18) fixed
 * the JS tier's bad code for untargeted blocks, its host-stack overflow on deep code and the
 * RangeError for an over-large table, which this target hit (regressions.ts keeps the inputs).
 */
export const KNOWN_UNTYPED: readonly { readonly name: string; readonly matches: (tier: Tier, error: Error) => boolean }[] = [];

type Tier = 'interpreter' | 'js';
type Ours = { ok: true } | { ok: false; name: string; message: string } | { skip: string } | { known: string };

/** One lang-vm instantiation on `tier` (within the caps, with a small value stack). */
function instantiateOurs(module: Module, imports: Imports, tier: Tier): Ours {
  try {
    new Instance(module, imports, { fuel: FUEL, maxCallDepth: 500, maxMemoryPages: MAX_PAGES, stackWords: 1 << 16, tier });
    return { ok: true };
  } catch (error) {
    if (error instanceof FuelExhausted) return { skip: 'instantiation skipped: the start function runs out of fuel' };
    if (error instanceof Trap && /call stack exhausted/.test(error.message)) return { skip: "instantiation skipped: the start function passes lang-vm's call-depth cap" };
    if (error instanceof WasmError) return { ok: false, name: error.name, message: error.message };
    const known = error instanceof Error ? KNOWN_UNTYPED.find((k) => k.matches(tier, error)) : undefined;
    if (known !== undefined) return { known: known.name };
    throw error;
  }
}

/**
 * Instantiates in lang-vm (both tiers, which must agree) and, within the caps, in V8: the same
 * success or failure, or a Disagreement. Over the caps lang-vm alone runs, and must give a typed
 * answer.
 */
function compareInstantiation(bytes: Uint8Array, module: Module): Verdict {
  const imports = importsFor(module);
  if (imports === undefined) return { outcome: 'accepted', detail: 'instantiation skipped: an import cannot be stubbed' };
  const results = (['interpreter', 'js'] as const).map((tier) => instantiateOurs(module, imports.ours, tier));
  for (const r of results) if ('known' in r) return { outcome: 'rejected', detail: 'a named untyped lang-vm error', known: r.known };
  for (const r of results) if ('skip' in r) return { outcome: 'accepted', detail: r.skip };
  const [interp, js] = results as ({ ok: true } | { ok: false; name: string; message: string })[];
  if (interp === undefined || js === undefined) throw new Error('unreachable');
  if (interp.ok !== js.ok) throw new Disagreement(`lang-vm's tiers disagree at instantiation (interpreter ${interp.ok ? 'ok' : 'fails'}, JS tier ${js.ok ? 'ok' : 'fails'}): ${hex(bytes)}`);
  if (tooBig(module)) return { outcome: interp.ok ? 'accepted' : 'rejected', detail: 'instantiated in lang-vm only: over the resource caps' };
  let theirs: { ok: boolean; message: string };
  try {
    new V8.Instance(new V8.Module(bytes), imports.v8);
    theirs = { ok: true, message: '' };
  } catch (error) {
    if (error instanceof RangeError) return { outcome: 'accepted', detail: 'instantiation skipped: V8 out of resources' };
    theirs = { ok: false, message: `${(error as Error).name}: ${(error as Error).message}` };
  }
  if (interp.ok === theirs.ok) return { outcome: interp.ok ? 'accepted' : 'rejected', detail: interp.ok ? 'instantiated' : `instantiation: ${interp.name}` };
  const c: Case = { bytes, stage: 'instantiate', v8Accepts: theirs.ok, ...(interp.ok ? {} : { ours: { name: interp.name, message: interp.message } }) };
  const known = classify(c);
  if (known !== undefined) return { outcome: interp.ok ? 'accepted' : 'rejected', detail: 'a named case at instantiation', known };
  throw new Disagreement(
    interp.ok ? `lang-vm instantiates a module V8 refuses to (${theirs.message}): ${hex(bytes)}` : `lang-vm refuses to instantiate (${interp.name}: ${interp.message}) a module V8 instantiates: ${hex(bytes)}`,
  );
}

/** The verdict of one input: decode and validate in both engines, then instantiate when both accept. */
export function judge(bytes: Uint8Array): Verdict {
  const v8Accepts = V8.validate(bytes);
  let module: Module | undefined;
  let ours: Case['ours'];
  try {
    module = new Module(bytes);
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    ours = { name: error.name, message: error.message, ...(error instanceof DecodeError ? { offset: error.offset } : { offset: (error as { offset?: number }).offset ?? -1 }) };
  }
  if (module === undefined && !v8Accepts) return { outcome: 'rejected', detail: ours?.name ?? 'CompileError' };
  if (module !== undefined && v8Accepts) return compareInstantiation(bytes, module);
  const c: Case = { bytes, stage: 'validate', v8Accepts, ...(ours === undefined ? {} : { ours }) };
  const known = classify(c);
  if (known !== undefined) return { outcome: module === undefined ? 'rejected' : 'accepted', detail: 'a named case (lang-vm refuses, V8 accepts)', known };
  throw new Disagreement(
    module === undefined ? `lang-vm rejects (${ours?.name}: ${ours?.message}) a module V8 accepts: ${hex(bytes)}` : `lang-vm accepts a module V8 rejects: ${hex(bytes)}`,
  );
}

/** Small modules that use every WebAssembly 2.0 construct lang-vm implements, assembled with wabt. */
const WAT_SEEDS = [
  `(module (import "env" "f" (func $imp (param i32) (result i32))) (import "env" "m" (memory 1 2))
    (import "env" "g" (global $ig i32)) (global $g (mut i64) (i64.const -1)) (table $t 3 funcref)
    (elem (i32.const 0) $a $b) (data (i32.const 8) "hello") (start $b)
    (func $a (export "a") (param i32) (result i32) (call $imp (i32.add (local.get 0) (global.get $ig))))
    (func $b (global.set $g (i64.extend_i32_s (i32.load8_u (i32.const 9))))
      (drop (call_indirect (param i32) (result i32) (i32.const 1) (i32.const 0)))))`,
  `(module (memory 1) (data $d "abc") (elem $e func $f) (table 2 funcref)
    (func $f (result i32 i64) (i32.const 1) (i64.const 2))
    (func (export "bulk") (memory.init $d (i32.const 0) (i32.const 0) (i32.const 3)) (data.drop $d)
      (memory.copy (i32.const 4) (i32.const 0) (i32.const 3)) (memory.fill (i32.const 8) (i32.const 7) (i32.const 2))
      (table.init 0 $e (i32.const 0) (i32.const 0) (i32.const 1)) (elem.drop $e)
      (drop (table.grow 0 (ref.null func) (i32.const 1))) (drop (ref.is_null (table.get 0 (i32.const 1)))))
    (func (export "sat") (param f64) (result i32 i64) (i32.trunc_sat_f64_s (local.get 0)) (i64.trunc_sat_f64_u (local.get 0)))
    (func (export "ext") (param i32) (result i32) (i32.extend8_s (local.get 0)))
    (func (export "blocks") (param i32) (result i32)
      (block $out (result i32) (loop $l (br_if $l (i32.eqz (local.get 0)))
        (br_table $out $out (i32.const 5) (local.get 0))) (unreachable))))`,
  `(module (type $t (func (param externref) (result externref))) (table 1 externref) (global (mut externref) (ref.null extern))
    (func (export "id") (type $t) (table.set 0 (i32.const 0) (local.get 0)) (select (result externref) (table.get 0 (i32.const 0)) (ref.null extern) (i32.const 1)))
    (func (export "f") (param f32 f64) (result f32) (f32.add (local.get 0) (f32.demote_f64 (local.get 1))))
    (memory 0 1) (func (export "grow") (result i32) (memory.grow (i32.const 1))))`,
];

/**
 * Modules next to defects lang-vm had (issue 18), so that their neighbourhood stays searched:
 * names with a byte-order mark, blocks no branch targets, a table over the engine limit.
 */
const WAT_NEAR_KNOWN = [
  `(module (func (export "\\ef\\bb\\bfa")) (func (export "a")) (func (export "\\ef\\bb\\bf")) (func (export "")))`,
  `(module (func (export "f") (block (nop))) (func (export "g") (block (block (nop)))))`,
  `(module (table 20000000 funcref))`,
];

/** One function of type [] -> [] whose body is `code` (with no locals), as a whole module. */
function moduleWithBody(code: readonly number[]): Uint8Array {
  const leb = (n: number) => {
    const out: number[] = [];
    do {
      out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
      n >>>= 7;
    } while (n > 0);
    return out;
  };
  const body = [0, ...code, 0x0b];
  const entry = [...leb(body.length), ...body];
  const section = [1, ...entry];
  return Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, ...leb(section.length), ...section);
}

/** Deep but valid code (issue 18: about 900 levels overflow the JS tier's compiler). */
const DEEP = [moduleWithBody([...new Array<number>(2000).fill(0).flatMap(() => [0x03, 0x40]), ...new Array<number>(2000).fill(0x0b)]), moduleWithBody([0x41, 0, ...new Array<number>(2000).fill(0).flatMap(() => [0x41, 1, 0x6a]), 0x1a])];

let seedCache: Promise<Uint8Array[]> | undefined;

async function assemble(): Promise<Uint8Array[]> {
  const wabt = await wabtInit();
  const features = { multi_value: true, bulk_memory: true, reference_types: true, sign_extension: true, sat_float_to_int: true, mutable_globals: true };
  const fromWat = [...WAT_SEEDS, ...WAT_NEAR_KNOWN].map((text, i) => {
    const m = wabt.parseWat(`seed${i}.wat`, text, features);
    try {
      m.resolveNames();
      m.validate();
      return new Uint8Array(m.toBinary({}).buffer);
    } finally {
      m.destroy();
    }
  });
  const guest = (name: string) => new Uint8Array(readFileSync(guestImage(`wasm32-wasi/${name}-test.wasm`)));
  return [...fromWat, ...DEEP, guest('nqueens'), guest('sieve')];
}

export const langVmTarget: FuzzTarget = {
  name: 'lang-vm',
  description: "lang-vm's decoder, validator and instantiation against V8's verdict (WebAssembly 2.0 feature set)",
  maxSize: 16 * 1024,
  dictionary: [
    Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00),
    Uint8Array.of(0x0b),
    Uint8Array.of(0x41, 0x00),
    Uint8Array.of(0xfc, 0x08, 0x00, 0x00),
    Uint8Array.of(0xfc, 0x0a, 0x00, 0x00),
    Uint8Array.of(0xd0, 0x70),
    Uint8Array.of(0x60, 0x00, 0x00),
    Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x10),
    Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f),
    Uint8Array.of(0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f),
  ],
  seeds: () => (seedCache ??= assemble()),
  structured: mutateWasm,
  run: judge,
};

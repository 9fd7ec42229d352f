import { expect } from 'vitest';
import { FuelExhausted, Trap } from '../errors.js';
import type { Imports, Instance, InstanceOptions } from '../instance.js';
import type { V8Instance } from './v8.js';
import { V8 } from './v8.js';

/** Builds an engine instance from module bytes: the thing each tier provides to the conformance suite. */
export type EngineFactory = (bytes: Uint8Array, imports?: Imports, options?: InstanceOptions) => Instance;

/** What a call did, comparable across engines: a value (or values) or a class of trap. */
export type Outcome = { readonly value: unknown } | { readonly trap: string };

/**
 * Trap classes both engines can name. V8 uses one message for NaN and out-of-range float-to-int
 * conversions, and one for a null entry and a signature mismatch in call_indirect.
 */
export function trapClass(e: unknown): string {
  if (e instanceof Trap) {
    switch (e.kind) {
      case 'invalid conversion to integer':
        return 'conversion';
      case 'integer overflow':
        return e.message.includes('float out of integer range') ? 'conversion' : 'integer overflow';
      case 'uninitialized element':
      case 'indirect call type mismatch':
        return 'indirect call';
      case 'undefined element':
      case 'out of bounds table access':
        return 'table bounds';
      default:
        return e.kind;
    }
  }
  if (e instanceof RangeError && /call stack/i.test(e.message)) return 'call stack exhausted';
  const msg = e instanceof Error ? e.message : String(e);
  if (/unreachable/.test(msg)) return 'unreachable';
  if (/divide by zero|remainder by zero/.test(msg)) return 'integer divide by zero';
  if (/divide result unrepresentable/.test(msg)) return 'integer overflow';
  if (/float unrepresentable|integer result unrepresentable/.test(msg)) return 'conversion';
  if (/memory access out of bounds|data segment.*out of bounds/.test(msg)) return 'out of bounds memory access';
  if (/table index is out of bounds|table access out of bounds|element segment out of bounds|table.*out of bounds/.test(msg)) return 'table bounds';
  if (/null function|signature mismatch/.test(msg)) return 'indirect call';
  throw e;
}

function settle(f: () => unknown): Outcome {
  try {
    return { value: f() };
  } catch (e) {
    if (e instanceof FuelExhausted) throw e;
    return { trap: trapClass(e) };
  }
}

/** Float results compare with NaN equal to NaN (payloads are checked through reinterpretation) and -0 distinct. */
function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)) return true;
  return Object.is(a, b);
}

const show = (o: Outcome) => ('trap' in o ? `trap '${o.trap}'` : `value ${fmt(o.value)}`);
const fmt = (v: unknown): string => (Array.isArray(v) ? `[${v.map(fmt).join(', ')}]` : typeof v === 'bigint' ? `${v}n` : Object.is(v, -0) ? '-0' : String(v));

/** One module instantiated on the engine under test and on Node's own WebAssembly. */
export class Differential {
  readonly ours: Instance;
  readonly v8: V8Instance;
  constructor(bytes: Uint8Array, factory: EngineFactory, imports?: { ours?: Imports; v8?: object }) {
    this.ours = factory(bytes, imports?.ours);
    this.v8 = new V8.Instance(new V8.Module(bytes), imports?.v8 ?? {});
  }

  /** Runs `name(args)` on both engines and asserts the same value or trap class; returns our outcome. */
  same(name: string, ...args: unknown[]): Outcome {
    const ours = settle(() => (this.ours.exports[name] as (...a: unknown[]) => unknown)(...args));
    const v8 = settle(() => (this.v8.exports[name] as (...a: unknown[]) => unknown)(...args));
    const agree = 'trap' in v8 ? 'trap' in ours && ours.trap === v8.trap : 'value' in ours && same(ours.value, v8.value);
    if (!agree) expect.fail(`${name}(${args.map(fmt).join(', ')}): lang-vm gives ${show(ours)}, V8 gives ${show(v8)}`);
    return ours;
  }

  /** Both engines return `expected` (a spec-derived value). */
  returns(name: string, args: readonly unknown[], expected: unknown): void {
    const o = this.same(name, ...args);
    if (!('value' in o) || !same(o.value, expected)) expect.fail(`${name}(${args.map(fmt).join(', ')}): expected ${fmt(expected)}, got ${show(o)}`);
  }

  /** Both engines trap with this class. */
  traps(name: string, args: readonly unknown[], kind: string): void {
    const o = this.same(name, ...args);
    if (!('trap' in o) || o.trap !== kind) expect.fail(`${name}(${args.map(fmt).join(', ')}): expected trap '${kind}', got ${show(o)}`);
  }
}

import type { StopReason, View, WorkloadSize } from '@virtlab/strategy';
import type { BenchMachine, BenchRecord, BenchResult } from './record.js';

/** A bench JSON file that does not have the documented shape: the message names the field. */
export class BenchFileError extends Error {
  override name = 'BenchFileError';
}

type Json = unknown;
const isRecord = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const describe = (v: Json) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}` : typeof v);

/**
 * Reads one object's fields with their types checked; every error names the path of the field
 * (`records[3].labCycles`). The result holds only the fields of the documented record, so what
 * the file adds is never carried further (nor nested structures of any depth).
 */
class Fields {
  constructor(
    private readonly source: string,
    private readonly path: string,
    private readonly value: Record<string, Json>,
  ) {}

  fail(key: string, wanted: string): never {
    throw new BenchFileError(`${this.source}: ${this.path}${this.path === '' ? '' : '.'}${key} must be ${wanted}, got ${describe(this.value[key])}`);
  }

  has(key: string): boolean {
    return Object.hasOwn(this.value, key) && this.value[key] !== undefined;
  }

  string(key: string): string {
    const v = this.value[key];
    return typeof v === 'string' ? v : this.fail(key, 'a string');
  }

  number(key: string): number {
    const v = this.value[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : this.fail(key, 'a finite number');
  }

  /** A share between 0 and 1. */
  fraction(key: string): number {
    const v = this.value[key];
    return typeof v === 'number' && v >= 0 && v <= 1 ? v : this.fail(key, 'a number between 0 and 1');
  }

  boolean(key: string): boolean {
    const v = this.value[key];
    return typeof v === 'boolean' ? v : this.fail(key, 'true or false');
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const v = this.value[key];
    return typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : this.fail(key, `one of ${values.join(', ')}`);
  }

  array(key: string): Json[] {
    const v = this.value[key];
    return Array.isArray(v) ? v : this.fail(key, 'an array');
  }

  numbers(key: string): number[] {
    return this.array(key).map((x, i) => (typeof x === 'number' && Number.isFinite(x) ? x : this.fail(`${key}[${i}]`, 'a finite number')));
  }

  table(key: string): Record<string, number> {
    const v = this.value[key];
    if (!isRecord(v)) return this.fail(key, 'an object of numbers');
    const out: Record<string, number> = {};
    for (const [k, x] of Object.entries(v)) {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new BenchFileError(`${this.source}: ${this.path}.${key}[${JSON.stringify(k)}] must be a finite number, got ${describe(x)}`);
      Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  object(key: string): Fields {
    const v = this.value[key];
    return isRecord(v) ? new Fields(this.source, `${this.path}${this.path === '' ? '' : '.'}${key}`, v) : this.fail(key, 'an object');
  }

  optional<T>(key: string, read: (key: string) => T): { [k: string]: T } {
    return this.has(key) ? { [key]: read(key) } : {};
  }
}

const VIEWS: readonly View[] = ['lab', 'host'];
const SIZES: readonly WorkloadSize[] = ['test', 'bench'];
const STATUSES: readonly BenchRecord['status'][] = ['ok', 'failed', 'skipped'];
const STOPS: readonly StopReason[] = ['exit', 'budget', 'fault', 'aborted'];

function record(source: string, index: number, value: Json): BenchRecord {
  if (!isRecord(value)) throw new BenchFileError(`${source}: records[${index}] must be an object, got ${describe(value)}`);
  const f = new Fields(source, `records[${index}]`, value);
  const view = f.oneOf('view', VIEWS);
  if (view === 'lab' && !f.has('strategy')) f.fail('strategy', 'a string (a lab-view record names its strategy)');
  if (view === 'host' && !f.has('engine')) f.fail('engine', 'a string (a host-view record names its engine)');
  return {
    view,
    ...f.optional('strategy', (k) => f.string(k)),
    ...f.optional('engine', (k) => f.string(k)),
    workload: f.string('workload'),
    size: f.oneOf('size', SIZES),
    status: f.oneOf('status', STATUSES),
    equivalent: f.boolean('equivalent'),
    ...f.optional('difference', (k) => f.string(k)),
    ...f.optional('exitCode', (k) => f.number(k)),
    ...f.optional('stop', (k) => f.oneOf(k, STOPS)),
    ...f.optional('labCycles', (k) => f.number(k)),
    ...f.optional('hostMs', (k) => f.number(k)),
    ...f.optional('hostRunsMs', (k) => f.numbers(k)),
    ...f.optional('instructions', (k) => f.number(k)),
    ...f.optional('mips', (k) => f.number(k)),
    counters: f.table('counters'),
    ...f.optional('directShare', (k) => f.fraction(k)),
    ...f.optional('items', (k) => f.table(k)),
    ...f.optional('error', (k) => f.string(k)),
  };
}

/**
 * A bench result from parsed JSON (`virtlab bench --json`, schema `virtlab-bench/1`), every field
 * the report reads checked against the documented record; `source` names the file in errors.
 * Work is linear in the size of the value.
 */
export function benchResultFromJson(value: Json, source: string): BenchResult {
  if (!isRecord(value)) throw new BenchFileError(`${source}: a bench result is a JSON object, got ${describe(value)}`);
  if (value.schema !== 'virtlab-bench/1') throw new BenchFileError(`${source} is not a virtlab bench JSON file (schema 'virtlab-bench/1'; its schema is ${describe(value.schema)})`);
  const f = new Fields(source, '', value);
  const m = f.object('machine');
  const machine: BenchMachine = { cpu: m.string('cpu'), cores: m.number('cores'), memoryGiB: m.number('memoryGiB'), node: m.string('node'), platform: m.string('platform') };
  const sizes = (key: string) =>
    f.array(key).map((x, i) => {
      if (typeof x === 'string' && (SIZES as readonly string[]).includes(x)) return x as WorkloadSize;
      throw new BenchFileError(`${source}: ${key}[${i}] must be one of ${SIZES.join(', ')}, got ${describe(x)}`);
    });
  const skipped = f.array('skipped').map((s, i) => {
    if (!isRecord(s)) throw new BenchFileError(`${source}: skipped[${i}] must be an object, got ${describe(s)}`);
    const g = new Fields(source, `skipped[${i}]`, s);
    return { name: g.string('name'), reason: g.string('reason') };
  });
  return {
    schema: 'virtlab-bench/1',
    date: f.string('date'),
    command: f.string('command'),
    machine,
    sizes: sizes('sizes'),
    ...f.optional('labSizes', sizes),
    ...f.optional('hostSizes', sizes),
    repeats: f.number('repeats'),
    ...f.optional('costModel', (k) => f.string(k)),
    ...f.optional('profile', (k) => f.string(k)),
    records: f.array('records').map((r, i) => record(source, i, r)),
    skipped,
  };
}

/** Base class of every error lang-vm throws, so callers can tell the engine's errors from a crash. */
export class WasmError extends Error {
  override name = 'WasmError';
}

/** The module could not be compiled: malformed bytes (`DecodeError`) or invalid code (`ValidationError`). */
export class CompileError extends WasmError {
  override name = 'CompileError';
}

/** Malformed binary (spec 5): names the byte offset and what the decoder expected there. */
export class DecodeError extends CompileError {
  override name = 'DecodeError';
  constructor(
    readonly offset: number,
    readonly expected: string,
  ) {
    super(`at byte 0x${offset.toString(16)}: expected ${expected}`);
  }
}

/** Invalid module (spec 3): names the function, the instruction's byte offset and the rule broken. */
export class ValidationError extends CompileError {
  override name = 'ValidationError';
  constructor(
    readonly rule: string,
    /** Index of the function whose body broke the rule, or -1 for module-level rules. */
    readonly funcIndex: number,
    readonly offset: number,
  ) {
    super(
      funcIndex >= 0
        ? `function ${funcIndex}, instruction at byte 0x${offset.toString(16)}: ${rule}`
        : `at byte 0x${offset.toString(16)}: ${rule}`,
    );
  }
}

/**
 * The module is valid but exceeds one of the WebAssembly JS API's implementation-defined limits
 * (JS API, "Implementation-defined limits"), which browsers' engines enforce at compile time too.
 */
export class ImplementationLimitError extends CompileError {
  override name = 'ImplementationLimitError';
  constructor(
    /** The limit, as the JS API words it (e.g. "parameters per function"). */
    readonly limit: string,
    readonly maximum: number,
    readonly actual: number,
    readonly offset: number,
  ) {
    super(`at byte 0x${offset.toString(16)}: ${actual} ${limit} exceeds the implementation limit of ${maximum}`);
  }
}

/** Instantiation failed: a missing or mistyped import, or a segment that does not fit (spec 4.5.4). */
export class LinkError extends WasmError {
  override name = 'LinkError';
}

/** The kinds of trap (spec 4.4): each maps to one of the messages V8 and the spec tests use. */
export type TrapKind =
  | 'unreachable'
  | 'integer divide by zero'
  | 'integer overflow'
  | 'invalid conversion to integer'
  | 'out of bounds memory access'
  | 'out of bounds table access'
  | 'uninitialized element'
  | 'undefined element'
  | 'indirect call type mismatch'
  | 'call stack exhausted'
  | 'null reference'
  | 'host error';

/** One frame of a wasm stack trace: function index, its name when the module names it, byte offset. */
export interface WasmFrame {
  readonly funcIndex: number;
  readonly name?: string;
  /** Byte offset of the instruction in the module, or -1 when unknown. */
  readonly offset: number;
}

/** The guest trapped. `wasmStack` lists frames innermost first. */
export class Trap extends WasmError {
  override name = 'Trap';
  wasmStack: readonly WasmFrame[] = [];
  constructor(
    readonly kind: TrapKind,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    super(detail === undefined ? kind : `${kind}: ${detail}`, options);
  }

  /** Attaches the wasm stack and appends it to the message, innermost frame first. */
  withStack(frames: readonly WasmFrame[]): this {
    this.wasmStack = frames;
    if (frames.length > 0) {
      const lines = frames.map((f) => `    at ${f.name ?? `func[${f.funcIndex}]`} (wasm-function[${f.funcIndex}]:0x${f.offset.toString(16)})`);
      this.message += `\n${lines.join('\n')}`;
    }
    return this;
  }
}

/**
 * The guest used up its fuel. Not a failure: the instance keeps its state and `instance.resume()`
 * continues exactly where it stopped once `instance.addFuel(n)` gave it more.
 */
export class FuelExhausted extends WasmError {
  override name = 'FuelExhausted';
  constructor() {
    super('fuel exhausted; add fuel and resume');
  }
}

/**
 * The JavaScript tier's memory accesses are DataView calls whose own bounds check is the wasm rule:
 * V8's RangeError for an access past the memory's end becomes the trap here, at the tier's edge,
 * keeping the stack the access was made on (for the wasm frames).
 */
export function trapOfTierError(e: unknown): unknown {
  if (e instanceof RangeError && /bounds of the DataView/.test(e.message)) {
    const t = new Trap('out of bounds memory access', undefined, { cause: e });
    t.stack = e.stack;
    return t;
  }
  return e;
}

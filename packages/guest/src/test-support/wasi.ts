/**
 * A minimal WASI preview 1 host for running the wasm32-wasi images on Node's own WebAssembly
 * (V8): fd_write, fd_read and proc_exit — exactly what the images import. Any other import is
 * refused before the module runs, so an image that grew a new import fails loudly.
 */
export class WasiError extends Error {
  override readonly name = 'WasiError';
}

/** Thrown inside the guest by proc_exit to unwind out of WebAssembly. */
class ProcExit extends Error {
  constructor(readonly code: number) {
    super(`proc_exit(${code})`);
  }
}

export interface WasiResult {
  readonly output: string;
  readonly exitCode: number;
}

const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8; // WASI preview 1 errno `badf`

export const WASI_IMPORTS = ['fd_write', 'fd_read', 'proc_exit'] as const;

export async function runWasi(bytes: Uint8Array, stdin: Uint8Array = new Uint8Array()): Promise<WasiResult> {
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(bytes.slice());
  } catch (cause) {
    throw new WasiError(`not a valid wasm module (${String(cause)})`, { cause });
  }
  for (const entry of WebAssembly.Module.imports(module)) {
    if (entry.module !== 'wasi_snapshot_preview1' || !(WASI_IMPORTS as readonly string[]).includes(entry.name)) {
      throw new WasiError(`unsupported import ${entry.module}.${entry.name} (${entry.kind})`);
    }
  }
  const chunks: Uint8Array[] = [];
  let stdinOffset = 0;
  // The memory is known only after instantiation; the imports read it through this holder.
  const state: { memory?: WebAssembly.Memory } = {};
  const view = () => {
    if (state.memory === undefined) throw new WasiError('module does not export its memory');
    return new DataView(state.memory.buffer);
  };
  // Reads the (pointer, length) pairs of a ciovec/iovec array (WASI preview 1, `ciovec`).
  const vectors = (iovs: number, count: number) => {
    const v = view();
    const list: Array<[number, number]> = [];
    for (let i = 0; i < count; i++) list.push([v.getUint32(iovs + 8 * i, true), v.getUint32(iovs + 8 * i + 4, true)]);
    return list;
  };
  const wasi = {
    fd_write(fd: number, iovs: number, count: number, written: number): number {
      if (fd !== 1 && fd !== 2) return ERRNO_BADF;
      let total = 0;
      for (const [pointer, length] of vectors(iovs, count)) {
        chunks.push(new Uint8Array(view().buffer, pointer, length).slice());
        total += length;
      }
      view().setUint32(written, total, true);
      return ERRNO_SUCCESS;
    },
    fd_read(fd: number, iovs: number, count: number, read: number): number {
      if (fd !== 0) return ERRNO_BADF;
      let total = 0;
      for (const [pointer, length] of vectors(iovs, count)) {
        const take = stdin.subarray(stdinOffset, stdinOffset + length);
        new Uint8Array(view().buffer, pointer, take.length).set(take);
        stdinOffset += take.length;
        total += take.length;
      }
      view().setUint32(read, total, true);
      return ERRNO_SUCCESS;
    },
    proc_exit(code: number): never {
      throw new ProcExit(code);
    },
  };
  const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi });
  const exported = instance.exports;
  if (!(exported.memory instanceof WebAssembly.Memory)) throw new WasiError('module does not export "memory"');
  state.memory = exported.memory;
  const start = exported._start;
  if (typeof start !== 'function') throw new WasiError('module does not export "_start"');
  let exitCode = 0;
  try {
    (start as () => void)();
  } catch (error) {
    if (!(error instanceof ProcExit)) throw error;
    exitCode = error.code;
  }
  return { output: Buffer.concat(chunks).toString('latin1'), exitCode };
}

/**
 * A minimal WASI preview 1 host for running workload modules on V8's own WebAssembly: stdout and
 * stderr are captured, arguments are passed, clocks and randomness are deterministic, and every
 * other call answers ENOSYS. (lang-vm has its own, complete WASI; this one only serves the peer.)
 */
const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_NOSYS = 52;
const ERRNO_SPIPE = 70;

export class WasiExit extends Error {
  override name = 'WasiExit';
  constructor(readonly code: number) {
    super(`proc_exit(${code})`);
  }
}

export interface WasiRun {
  readonly output: string;
  readonly exitCode: number;
}

/** Instantiates `module` with a capturing WASI host, runs `_start`, returns output and status. */
export async function runWasiModule(module: WebAssembly.Module, args: readonly string[]): Promise<WasiRun> {
  const state: { memory?: WebAssembly.Memory } = {};
  const chunks: Uint8Array[] = [];
  const view = () => new DataView(state.memory!.buffer);
  const bytes = () => new Uint8Array(state.memory!.buffer);
  const encoder = new TextEncoder();
  const argv = args.map((a) => encoder.encode(`${a}\0`));
  let seed = 0x9e3779b9;

  const wasi: Record<string, (...a: number[]) => number> = {
    args_sizes_get(countPtr, sizePtr) {
      view().setUint32(countPtr, argv.length, true);
      view().setUint32(sizePtr, argv.reduce((n, a) => n + a.length, 0), true);
      return ERRNO_SUCCESS;
    },
    args_get(argvPtr, bufPtr) {
      let p = bufPtr;
      argv.forEach((a, i) => {
        view().setUint32(argvPtr + 4 * i, p, true);
        bytes().set(a, p);
        p += a.length;
      });
      return ERRNO_SUCCESS;
    },
    environ_sizes_get(countPtr, sizePtr) {
      view().setUint32(countPtr, 0, true);
      view().setUint32(sizePtr, 0, true);
      return ERRNO_SUCCESS;
    },
    environ_get: () => ERRNO_SUCCESS,
    fd_write(fd, iovs, iovsLen, nwrittenPtr) {
      if (fd !== 1 && fd !== 2) return ERRNO_BADF;
      let written = 0;
      for (let i = 0; i < iovsLen; i++) {
        const base = view().getUint32(iovs + 8 * i, true);
        const len = view().getUint32(iovs + 8 * i + 4, true);
        if (fd === 1) chunks.push(bytes().slice(base, base + len));
        written += len;
      }
      view().setUint32(nwrittenPtr, written, true);
      return ERRNO_SUCCESS;
    },
    fd_read(fd, _iovs, _iovsLen, nreadPtr) {
      if (fd !== 0) return ERRNO_BADF;
      view().setUint32(nreadPtr, 0, true);
      return ERRNO_SUCCESS;
    },
    fd_close: (fd) => (fd <= 2 ? ERRNO_SUCCESS : ERRNO_BADF),
    fd_seek: (fd) => (fd <= 2 ? ERRNO_SPIPE : ERRNO_BADF),
    fd_fdstat_get(fd, statPtr) {
      if (fd > 2) return ERRNO_BADF;
      bytes().fill(0, statPtr, statPtr + 24);
      view().setUint8(statPtr, 2); // filetype: character device
      return ERRNO_SUCCESS;
    },
    clock_time_get(_id, _precision, timePtr) {
      view().setBigUint64(timePtr, 0n, true);
      return ERRNO_SUCCESS;
    },
    random_get(buf, len) {
      for (let i = 0; i < len; i++) {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        bytes()[buf + i] = seed & 0xff;
      }
      return ERRNO_SUCCESS;
    },
    proc_exit(code) {
      throw new WasiExit(code);
    },
  };
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== 'function') throw new Error(`workload imports ${imp.kind} ${imp.module}.${imp.name}; only functions are provided`);
    const table = (imports[imp.module] ??= {});
    table[imp.name] = imp.module === 'wasi_snapshot_preview1' && imp.name in wasi ? wasi[imp.name]! : () => ERRNO_NOSYS;
  }
  const instance = await WebAssembly.instantiate(module, imports);
  const mem = instance.exports.memory;
  if (!(mem instanceof WebAssembly.Memory)) throw new Error('workload module exports no memory');
  state.memory = mem;
  const start = instance.exports._start;
  if (typeof start !== 'function') throw new Error('workload module exports no _start function');
  let exitCode = 0;
  try {
    (start as () => void)();
  } catch (e) {
    if (!(e instanceof WasiExit)) throw e;
    exitCode = e.code;
  }
  return { output: Buffer.concat(chunks).toString('latin1'), exitCode };
}

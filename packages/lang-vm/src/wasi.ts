import { currentCaller } from './machine.js';
import { Memory } from './runtime.js';

/**
 * WASI preview 1 (wasi_snapshot_preview1), the subset programs need: args, environ, stdio through
 * fd_read/fd_write, fd_close, fd_fdstat_get, fd_seek (ESPIPE on stdio), proc_exit, clock_time_get
 * (real or deterministic) and random_get (seeded). Every other function returns ENOSYS. Works
 * with lang-vm instances and with V8's WebAssembly alike: it only needs `memory.buffer`.
 */

const ESUCCESS = 0;
const EBADF = 8;
const EINVAL = 28;
const ENOSYS = 52;
const ESPIPE = 70;

/** Every preview 1 import (witx), so that any program links; unimplemented ones return ENOSYS. */
const PREVIEW1 = [
  'args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get', 'clock_res_get', 'clock_time_get',
  'fd_advise', 'fd_allocate', 'fd_close', 'fd_datasync', 'fd_fdstat_get', 'fd_fdstat_set_flags', 'fd_fdstat_set_rights',
  'fd_filestat_get', 'fd_filestat_set_size', 'fd_filestat_set_times', 'fd_pread', 'fd_prestat_get', 'fd_prestat_dir_name',
  'fd_pwrite', 'fd_read', 'fd_readdir', 'fd_renumber', 'fd_seek', 'fd_sync', 'fd_tell', 'fd_write',
  'path_create_directory', 'path_filestat_get', 'path_filestat_set_times', 'path_link', 'path_open', 'path_readlink',
  'path_remove_directory', 'path_rename', 'path_symlink', 'path_unlink_file', 'poll_oneoff', 'proc_exit', 'proc_raise',
  'sched_yield', 'random_get', 'sock_accept', 'sock_recv', 'sock_send', 'sock_shutdown',
] as const;

/** proc_exit unwinds the guest with this; `Wasi.start` turns it into the exit status. */
export class ProcExit extends Error {
  override name = 'ProcExit';
  constructor(readonly code: number) {
    super(`proc_exit(${code})`);
  }
}

export interface WasiOptions {
  /** argv, program name first. */
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly stdin?: Uint8Array | string;
  /** Called with each write to fd 1 / fd 2; by default output is collected in `stdout`/`stderr`. */
  readonly onStdout?: (bytes: Uint8Array) => void;
  readonly onStderr?: (bytes: Uint8Array) => void;
  /** `deterministic` (default): clocks start at 0 and advance 1 µs per reading; `real`: host clocks. */
  readonly clock?: 'deterministic' | 'real';
  /** Seed of random_get's generator (default 1). */
  readonly seed?: number;
}

interface MemoryLike {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

const utf8 = new TextEncoder();
const decoder = new TextDecoder('latin1');

export class Wasi {
  /** The import object: `{ wasi_snapshot_preview1: {...} }`. */
  readonly imports: { readonly wasi_snapshot_preview1: Record<string, (...args: never[]) => unknown> };
  /** Everything written to fd 1 and fd 2, in order, as latin1 text (bytes preserved). */
  output = '';
  stdout = '';
  stderr = '';
  /** Host calls made, by function name. */
  readonly calls: Record<string, number> = {};
  private memory: MemoryLike | undefined;
  private readonly args: Uint8Array[];
  private readonly env: Uint8Array[];
  private readonly stdin: Uint8Array;
  private stdinPos = 0;
  private ticks = 0n;
  private rng: number;

  constructor(private readonly options: WasiOptions = {}) {
    this.args = (options.args ?? ['program']).map((a) => utf8.encode(`${a}\0`));
    this.env = Object.entries(options.env ?? {}).map(([k, v]) => utf8.encode(`${k}=${v}\0`));
    this.stdin = typeof options.stdin === 'string' ? utf8.encode(options.stdin) : (options.stdin ?? new Uint8Array(0));
    this.rng = (options.seed ?? 1) >>> 0 || 1;
    const fns: Record<string, (...args: never[]) => unknown> = {};
    for (const name of PREVIEW1) {
      fns[name] = () => {
        this.count(name);
        return ENOSYS;
      };
    }
    const own = this.functions();
    for (const [name, fn] of Object.entries(own)) {
      fns[name] = (...args: never[]) => {
        this.count(name);
        return (fn as (...a: never[]) => unknown)(...args);
      };
    }
    this.imports = { wasi_snapshot_preview1: fns };
  }

  private count(name: string): void {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
  }

  /** Binds the instance's exported memory; call before running the guest (or use `start`). */
  bind(memory: MemoryLike): void {
    this.memory = memory;
  }

  /** Runs `_start` of an instance that exports `memory`; returns the exit status (0 when `_start` returns). */
  start(exports: Readonly<Record<string, unknown>>): number {
    const memory = exports.memory as MemoryLike | undefined;
    if (memory === undefined) throw new TypeError('a WASI program must export its memory');
    this.bind(memory);
    const start = exports._start;
    if (typeof start !== 'function') throw new TypeError('a WASI command must export _start');
    return this.exitStatus(() => (start as () => unknown)());
  }

  /** Runs `f`, mapping proc_exit to its status. */
  exitStatus(f: () => unknown): number {
    try {
      f();
      return 0;
    } catch (e) {
      if (e instanceof ProcExit) return e.code;
      throw e;
    }
  }

  /**
   * The guest's memory: the bound one, else (on lang-vm) the memory of the instance whose guest is
   * calling, so `new Instance(module, wasi.imports)` works without a `bind`.
   */
  private mem(): MemoryLike {
    const m = this.memory ?? currentCaller()?.memory;
    if (m === undefined) throw new Error('WASI memory is not bound: call bind(memory) or start(exports)');
    return m;
  }
  // A lang-vm Memory is read through its own views: its `buffer` getter may trim spare capacity (a copy).
  private view(): DataView {
    const m = this.mem();
    return m instanceof Memory ? m.dv : new DataView(m.buffer);
  }
  private bytes(): Uint8Array {
    const m = this.mem();
    return m instanceof Memory ? m.u8 : new Uint8Array(m.buffer);
  }

  private write(fd: number, data: Uint8Array): void {
    const text = decoder.decode(data);
    this.output += text;
    if (fd === 1) {
      if (this.options.onStdout) this.options.onStdout(data.slice());
      else this.stdout += text;
    } else if (this.options.onStderr) this.options.onStderr(data.slice());
    else this.stderr += text;
  }

  private functions() {
    const strings = (list: Uint8Array[], ptrs: number, buf: number) => {
      const dv = this.view();
      const mem = this.bytes();
      let at = buf;
      list.forEach((s, i) => {
        dv.setUint32(ptrs + 4 * i, at, true);
        mem.set(s, at);
        at += s.length;
      });
      return ESUCCESS;
    };
    const sizes = (list: Uint8Array[], countPtr: number, sizePtr: number) => {
      const dv = this.view();
      dv.setUint32(countPtr, list.length, true);
      dv.setUint32(sizePtr, list.reduce((n, s) => n + s.length, 0), true);
      return ESUCCESS;
    };
    return {
      args_get: (argv: number, buf: number) => strings(this.args, argv, buf),
      args_sizes_get: (count: number, size: number) => sizes(this.args, count, size),
      environ_get: (environ: number, buf: number) => strings(this.env, environ, buf),
      environ_sizes_get: (count: number, size: number) => sizes(this.env, count, size),
      fd_write: (fd: number, iovs: number, iovsLen: number, nwritten: number) => {
        if (fd !== 1 && fd !== 2) return EBADF;
        const dv = this.view();
        const mem = this.bytes();
        let total = 0;
        for (let i = 0; i < iovsLen; i++) {
          const ptr = dv.getUint32(iovs + 8 * i, true);
          const len = dv.getUint32(iovs + 8 * i + 4, true);
          if (ptr + len > mem.length) return EINVAL;
          this.write(fd, mem.subarray(ptr, ptr + len));
          total += len;
        }
        dv.setUint32(nwritten, total, true);
        return ESUCCESS;
      },
      fd_read: (fd: number, iovs: number, iovsLen: number, nread: number) => {
        if (fd !== 0) return EBADF;
        const dv = this.view();
        const mem = this.bytes();
        let total = 0;
        for (let i = 0; i < iovsLen; i++) {
          const ptr = dv.getUint32(iovs + 8 * i, true);
          const len = dv.getUint32(iovs + 8 * i + 4, true);
          if (ptr + len > mem.length) return EINVAL;
          const n = Math.min(len, this.stdin.length - this.stdinPos);
          mem.set(this.stdin.subarray(this.stdinPos, this.stdinPos + n), ptr);
          this.stdinPos += n;
          total += n;
          if (n < len) break;
        }
        dv.setUint32(nread, total, true);
        return ESUCCESS;
      },
      fd_close: (fd: number) => (fd >= 0 && fd <= 2 ? ESUCCESS : EBADF),
      fd_fdstat_get: (fd: number, buf: number) => {
        if (fd < 0 || fd > 2) return EBADF;
        const dv = this.view();
        // struct fdstat: filetype u8 (2 = character device), flags u16 at 2, rights u64 at 8 and 16.
        dv.setUint8(buf, 2);
        dv.setUint16(buf + 2, fd === 0 ? 0 : 1, true);
        dv.setBigUint64(buf + 8, fd === 0 ? 0x2n : 0x40n, true);
        dv.setBigUint64(buf + 16, 0n, true);
        return ESUCCESS;
      },
      fd_seek: (fd: number, _offset: bigint, _whence: number, _newOffset: number) => (fd >= 0 && fd <= 2 ? ESPIPE : EBADF),
      proc_exit: (code: number) => {
        throw new ProcExit(code);
      },
      clock_time_get: (id: number, _precision: bigint, out: number) => {
        if (id < 0 || id > 3) return EINVAL;
        let t: bigint;
        if (this.options.clock === 'real') t = id === 0 ? BigInt(Date.now()) * 1_000_000n : process.hrtime.bigint();
        else t = ++this.ticks * 1000n;
        this.view().setBigUint64(out, t, true);
        return ESUCCESS;
      },
      random_get: (buf: number, len: number) => {
        const mem = this.bytes();
        if (buf + len > mem.length) return EINVAL;
        for (let i = 0; i < len; i++) {
          // xorshift32: deterministic for a given seed.
          let x = this.rng;
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          this.rng = x >>> 0;
          mem[buf + i] = x & 0xff;
        }
        return ESUCCESS;
      },
      sched_yield: () => ESUCCESS,
    };
  }
}

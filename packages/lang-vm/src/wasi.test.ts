import { describe, expect, it } from 'vitest';
import { Instance, Module } from './instance.js';
import { V8 } from './test-support/v8.js';
import { wat } from './test-support/wat.js';
import { Wasi } from './wasi.js';

// A WASI command that exercises each implemented call and prints what it got (wasi 0.1 ABI, witx).
const PROGRAM = `(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; print(ptr, len) writes memory[ptr..ptr+len) to stdout through one iovec at 0.
  (func $print (param i32 i32) (i32.store (i32.const 0) (local.get 0)) (i32.store (i32.const 4) (local.get 1))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  ;; put(v) prints one byte.
  (func $put (param i32) (i32.store8 (i32.const 16) (local.get 0)) (call $print (i32.const 16) (i32.const 1)))
  (func (export "_start") (local i32)
    (drop (call $args_sizes_get (i32.const 100) (i32.const 104)))
    (drop (call $args_get (i32.const 200) (i32.const 300)))
    (call $print (i32.const 300) (i32.load (i32.const 104)))
    (drop (call $environ_sizes_get (i32.const 100) (i32.const 104)))
    (drop (call $environ_get (i32.const 200) (i32.const 400)))
    (call $print (i32.load (i32.const 200)) (i32.load (i32.const 104)))
    ;; read stdin into 500
    (i32.store (i32.const 20) (i32.const 500)) (i32.store (i32.const 24) (i32.const 64))
    (drop (call $fd_read (i32.const 0) (i32.const 20) (i32.const 1) (i32.const 28)))
    (call $print (i32.const 500) (i32.load (i32.const 28)))
    (call $put (i32.add (i32.const 48) (i32.eq (call $fd_seek (i32.const 1) (i64.const 0) (i32.const 0) (i32.const 32)) (i32.const 70))))
    (call $put (i32.add (i32.const 48) (call $fd_fdstat_get (i32.const 1) (i32.const 600))))
    (call $put (i32.add (i32.const 48) (i32.load8_u (i32.const 600))))
    (call $put (i32.add (i32.const 48) (i32.eq (call $fd_close (i32.const 9)) (i32.const 8))))
    (call $put (i32.add (i32.const 48) (i32.eq (call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)) (i32.const 52))))
    (drop (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 700)))
    (drop (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 708)))
    (call $put (i32.add (i32.const 48) (i64.eq (i64.sub (i64.load (i32.const 708)) (i64.load (i32.const 700))) (i64.const 1000))))
    (drop (call $random_get (i32.const 800) (i32.const 4)))
    (call $put (i32.add (i32.const 65) (i32.and (i32.load (i32.const 800)) (i32.const 15))))
    (call $proc_exit (i32.const 3))
    (unreachable)))`;

describe('WASI preview 1', () => {
  it('gives the same output and exit status on lang-vm and on V8', async () => {
    const bytes = await wat(PROGRAM);
    const opts = { args: ['prog', 'arg1'], env: { HOME: '/h' }, stdin: 'in!', seed: 42 };
    const ours = new Wasi(opts);
    const oursExit = ours.start(new Instance(new Module(bytes), ours.imports).exports);
    const v8 = new Wasi(opts);
    const v8Exit = v8.start(new V8.Instance(new V8.Module(bytes), v8.imports).exports);
    expect(oursExit).toBe(3);
    expect(v8Exit).toBe(3);
    expect(ours.stdout).toBe(v8.stdout);
    // argv strings, environ, stdin, ESPIPE, fdstat ok, character device (2), EBADF, ENOSYS, clock step of 1 us, seeded byte.
    expect(ours.stdout).toMatch(/^prog\0arg1\0HOME=\/h\0in!102111[A-P]$/);
  });
  it('is deterministic for a seed and differs across seeds', async () => {
    const bytes = await wat(PROGRAM);
    const run = (seed: number) => {
      const w = new Wasi({ seed });
      w.start(new Instance(new Module(bytes), w.imports).exports);
      return w.stdout;
    };
    expect(run(7)).toBe(run(7));
    expect(new Set([1, 2, 3, 4, 5].map(run)).size).toBeGreaterThan(1);
  });
});

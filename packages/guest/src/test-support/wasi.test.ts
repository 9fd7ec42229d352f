import { describe, expect, it } from 'vitest';
import { WasiError, runWasi } from './wasi.js';

// Hand-assembled modules (WebAssembly core spec 5.5: sections by id, LEB128 sizes).
const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const typeSection = [0x01, 0x04, 0x01, 0x60, 0x00, 0x00]; // one type: () -> ()
const importEnvFoo = [0x02, 0x0b, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x03, 0x66, 0x6f, 0x6f, 0x00, 0x00]; // env.foo

describe('the test WASI shim', () => {
  it('refuses a module that imports anything but fd_write, fd_read and proc_exit', async () => {
    const bytes = new Uint8Array([...header, ...typeSection, ...importEnvFoo]);
    await expect(runWasi(bytes)).rejects.toThrow(new WasiError('unsupported import env.foo (function)'));
  });

  it('names a malformed module', async () => {
    await expect(runWasi(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x02]))).rejects.toThrow(/not a valid wasm module/);
  });

  it('names a module without memory', async () => {
    await expect(runWasi(new Uint8Array(header))).rejects.toThrow('module does not export "memory"');
  });
});

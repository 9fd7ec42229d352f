import { describe, expect, it } from 'vitest';
import { I32, OP, WasmCode, WasmEncoderError, wasmApi, wasmModule } from './wasm-encoder.js';

type Fn = (...args: number[]) => number;

function instantiate(params: number, locals: number, code: WasmCode, memory: { buffer: ArrayBuffer }): Fn {
  const api = wasmApi!;
  const instance = new api.Instance(new api.Module(wasmModule(params, locals, code)), { e: { m: memory } });
  return instance.exports.f as Fn;
}

describe('wasm encoder', () => {
  const memory = new wasmApi!.Memory({ initial: 1, maximum: 1 });

  it('encodes constants of every LEB128 length, signed and unsigned offsets', () => {
    for (const v of [0, 1, -1, 63, 64, -64, -65, 8191, 8192, 0x7fffffff, -0x80000000, 0x12345678]) {
      const w = new WasmCode().i32(v);
      expect(instantiate(0, 0, w, memory)()).toBe(v | 0);
    }
    const view = new Int32Array(memory.buffer);
    view[1000] = 42;
    const load = new WasmCode().i32(0).mem(OP.i32Load, 2, 4000);
    expect(instantiate(0, 0, load, memory)()).toBe(42);
  });

  it('branches by label name: a br_table dispatch loop with falls into the next case', () => {
    // f(i, n): starting at case i, case 0 adds 1, case 1 adds 10 and loops back to case 0 while n > 0.
    const w = new WasmCode();
    const acc = 2;
    w.open(OP.block, 'out').open(OP.loop, 'disp').open(OP.block, 'default').open(OP.block, 'b1').open(OP.block, 'b0');
    w.get(0).brTable(['b0', 'b1'], 'default');
    w.close(); // case 0
    w.get(acc).i32(1).op(OP.i32Add).set(acc);
    w.close(); // case 1 (case 0 falls in)
    w.get(acc).i32(10).op(OP.i32Add).set(acc);
    w.get(1).i32(1).op(OP.i32Sub).tee(1).i32(0).op(OP.i32GtS);
    w.open(OP.if).i32(0).set(0).br('disp').close();
    w.br('out');
    w.close(); // default
    w.op(OP.unreachable).close().close();
    w.get(acc);
    const f = instantiate(2, 1, w, memory);
    expect(f(0, 1)).toBe(11);
    expect(f(1, 1)).toBe(10);
    expect(f(0, 3)).toBe(33);
    expect(f(1, 3)).toBe(32);
  });

  it('typed if/else blocks', () => {
    const w = new WasmCode().get(0).op(OP.i32Eqz).open(OP.if, undefined, I32).i32(-1).else().get(1).get(0).op(OP.i32DivU).close();
    const f = instantiate(2, 0, w, memory);
    expect(f(0, 7)).toBe(-1);
    expect(f(2, 7)).toBe(3);
  });

  it('refuses a branch to a label that is not open, and a body left open', () => {
    expect(() => new WasmCode().br('nowhere')).toThrow(WasmEncoderError);
    expect(() => wasmModule(0, 0, new WasmCode().open(OP.block, 'b'))).toThrow(WasmEncoderError);
  });
});

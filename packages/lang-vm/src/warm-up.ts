/**
 * A module that executes every common instruction once. V8 optimizes the interpreter's loop
 * from type feedback; a case that has never run has none, and reaching it later deoptimizes the
 * whole loop (and costs a fresh optimization of a large function). Running this once per process
 * gives every hot case its feedback before a real guest runs.
 */
import { uleb128 } from './leb128.js';

/** Imports `env.h: (i32) -> i32`; exports `run`. */
export function warmUpModule(): Uint8Array {
  const body: number[] = [];
  const f64c = (x: number) => [0x44, ...new Uint8Array(new Float64Array([x]).buffer)];
  const f32c = (x: number) => [0x43, ...new Uint8Array(new Float32Array([x]).buffer)];
  const i32c = (x: number) => [0x41, x & 0x3f];
  const i64c = (x: number) => [0x42, x & 0x3f];
  const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  const emit = (...ops: number[][]) => {
    for (const o of ops) body.push(...o);
  };
  for (const op of [...range(0x46, 0x4f), ...range(0x6a, 0x78)]) emit(i32c(7), i32c(3), [op, 0x1a]);
  for (const op of [0x45, 0x67, 0x68, 0x69, 0xc0, 0xc1, 0xac, 0xad, 0xb2, 0xb3, 0xb7, 0xb8, 0xbe]) emit(i32c(5), [op, 0x1a]);
  // Equal and unequal operands, so both sides of short-circuiting comparisons get feedback.
  for (const op of [...range(0x51, 0x5a), ...range(0x7c, 0x8a)]) emit(i64c(7), i64c(3), [op, 0x1a], i64c(5), i64c(5), [op, 0x1a]);
  for (const op of [0x50, 0x79, 0x7a, 0x7b, 0xc2, 0xc3, 0xc4, 0xa7, 0xb4, 0xb5, 0xb9, 0xba, 0xbf]) emit(i64c(5), [op, 0x1a]);
  for (const op of [...range(0x61, 0x66), ...range(0xa0, 0xa6)]) emit(f64c(1.5), f64c(2.5), [op, 0x1a]);
  for (const op of [...range(0x99, 0x9f), 0xaa, 0xab, 0xb0, 0xb1, 0xb6, 0xbd]) emit(f64c(2.5), [op, 0x1a]);
  for (const op of [...range(0x5b, 0x60), ...range(0x92, 0x98)]) emit(f32c(1.5), f32c(2.5), [op, 0x1a]);
  for (const op of [...range(0x8b, 0x91), 0xa8, 0xa9, 0xae, 0xaf, 0xbb, 0xbc]) emit(f32c(2.5), [op, 0x1a]);
  for (const op of range(0x28, 0x35)) emit(i32c(8), [op, 0, 0, 0x1a]);
  for (const op of [0x36, 0x3a, 0x3b]) emit(i32c(8), i32c(5), [op, 0, 0]);
  for (const op of [0x37, 0x3c, 0x3d, 0x3e]) emit(i32c(8), i64c(5), [op, 0, 0]);
  emit(i32c(8), f32c(1.5), [0x38, 0, 0], i32c(8), f64c(1.5), [0x39, 0, 0]);
  // locals, globals, select, call, memory.size/grow
  emit(i32c(5), [0x21, 0], [0x20, 0, 0x1a], i32c(5), [0x22, 0, 0x1a], [0x23, 0, 0x1a], i32c(5), [0x24, 0]);
  emit(i32c(1), i32c(2), i32c(1), [0x1b, 0x1a], i64c(1), i64c(2), i32c(0), [0x1b, 0x1a], i32c(5), [0x10, 2, 0x1a], [0x3f, 0, 0x1a], i32c(0), [0x40, 0, 0x1a]);
  // a host call (import 0) and call_indirect through the table
  emit(i32c(5), [0x10, 0, 0x1a], i32c(5), i32c(0), [0x11, 1, 0, 0x1a]);
  // block + br_if + br, if/else both ways, br_table, a loop that runs three times
  emit([0x02, 0x40], i32c(0), [0x0d, 0], i32c(1), [0x0d, 0, 0x0c, 0, 0x0b]);
  emit(i32c(1), [0x04, 0x40, 0x01, 0x05, 0x01, 0x0b], i32c(0), [0x04, 0x40, 0x01, 0x05, 0x01, 0x0b]);
  emit([0x02, 0x40, 0x02, 0x40], i32c(1), [0x0e, 1, 0, 1, 0x0b, 0x0b]);
  emit([0x02, 0x7f], i32c(4), i32c(1), [0x0d, 0, 0x0b, 0x1a]);
  emit(i32c(3), [0x21, 0, 0x03, 0x40, 0x20, 0], i32c(1), [0x6b, 0x22, 0, 0x0d, 0, 0x0b]);
  body.push(0x0b);
  const fn0 = [1, 1, 0x7f, ...body];
  const fn1 = [0, 0x20, 0, 0x41, 1, 0x6a, 0x0b];
  const section = (id: number, content: number[]) => [id, ...uleb128(content.length), ...content];
  const code = [2, ...uleb128(fn0.length), ...fn0, ...uleb128(fn1.length), ...fn1];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [2, 0x60, 0, 0, 0x60, 1, 0x7f, 1, 0x7f]),
    ...section(2, [1, 3, 0x65, 0x6e, 0x76, 1, 0x68, 0, 1]),
    ...section(3, [2, 0, 1]),
    ...section(4, [1, 0x70, 0, 1]),
    ...section(5, [1, 0, 1]),
    ...section(6, [1, 0x7f, 1, 0x41, 0, 0x0b]),
    ...section(7, [1, 3, 0x72, 0x75, 0x6e, 0, 1]),
    ...section(9, [1, 0, 0x41, 0, 0x0b, 1, 2]),
    ...section(10, code),
  ]);
}

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Instance, Module } from './instance.js';
import type { Table } from './runtime.js';
import { wat } from './test-support/wat.js';

// Instances that nothing references are collectable: no process-wide store keeps their functions
// (and with them their 4 MB value stacks). A host that creates and drops instances in a loop runs
// in flat memory.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap plus array buffers (the value stacks and memories live there), after a full collection. */
function retained(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const MODULE = `(module
  (type $t (func (result i32)))
  (import "env" "h" (func $h (result i32)))
  (table (export "t") 2 funcref) (elem (i32.const 0) $f $h)
  (memory (export "memory") 1)
  (global $g (mut funcref) (ref.func $f))
  (func $f (export "f") (result i32) (i32.const 7))
  (func (export "g") (result i32) (i32.add (call_indirect (type $t) (i32.const 0)) (call_indirect (type $t) (i32.const 1))))
  (func (export "swap") (table.set 0 (i32.const 0) (global.get $g))))`;

describe('dropped instances are collected', () => {
  it.each(['interpreter', 'js'] as const)('creating and dropping 10 000 instances (%s tier) keeps memory flat', { timeout: 300_000 }, async (tier) => {
    const mod = new Module(await wat(MODULE));
    const host = { env: { h: () => 35 } };
    const once = () => {
      const inst = new Instance(mod, host, { tier });
      (inst.exports.swap as () => void)();
      return (inst.exports.g as () => number)();
    };
    for (let i = 0; i < 200; i++) once();
    const before = retained();
    let sum = 0;
    for (let i = 0; i < 10_000; i++) sum += once();
    expect(sum).toBe(10_000 * 42);
    const growth = retained() - before;
    // Kept alive, 10 000 instances would hold 40 GB of value stacks; collected, a few MB of noise remain.
    expect(growth).toBeLessThan(32 * 1024 * 1024);
  });

  it('keeps an instance alive while another holds its function in a table', async () => {
    const producer = await wat('(module (func (export "seven") (result i32) (i32.const 7)))');
    const consumer = await wat(`(module (type $t (func (result i32))) (import "p" "seven" (func $s (result i32)))
      (table (export "t") 1 funcref) (elem (i32.const 0) $s)
      (func (export "call") (result i32) (call_indirect (type $t) (i32.const 0))))`);
    const make = () => {
      const p = new Instance(new Module(producer));
      return new Instance(new Module(consumer), { p: p.exports });
    };
    const c = make();
    retained();
    expect((c.exports.call as () => number)()).toBe(7);
    expect(((c.exports.t as Table).get(0) as () => number)()).toBe(7);
  });
});

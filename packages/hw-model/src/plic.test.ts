import { describe, expect, it } from 'vitest';
import { Plic } from './plic.js';

// Offsets from the PLIC spec 1.0.0 chapter 3 / QEMU virt: priority 4*id, pending 0x1000,
// enables 0x2000 + 0x80*ctx, threshold 0x200000 + 0x1000*ctx, claim/complete at +4.
const prio = (id: number) => 4 * id;
const enable = (ctx: number, word = 0) => 0x2000 + 0x80 * ctx + 4 * word;
const threshold = (ctx: number) => 0x200000 + 0x1000 * ctx;
const claim = (ctx: number) => threshold(ctx) + 4;

function plic() {
  const p = new Plic();
  return { p, r: (o: number) => p.read(o, 4), w: (o: number, v: number) => p.write(o, v, 4) };
}

describe('PLIC', () => {
  it('shows a raised line in the pending bits and signals only enabled contexts with priority > threshold', () => {
    const { p, r, w } = plic();
    p.setLevel(10, true);
    expect(r(0x1000)).toBe(1 << 10);
    expect(p.output(0)).toBe(false); // priority 0 never interrupts
    w(prio(10), 1);
    expect(p.output(0)).toBe(false); // not enabled
    w(enable(0), 1 << 10);
    expect(p.output(0)).toBe(true);
    expect(p.output(1)).toBe(false); // S context not enabled
    w(threshold(0), 1);
    expect(p.output(0)).toBe(false); // priority must exceed the threshold
    w(threshold(0), 0);
    expect(p.output(0)).toBe(true);
  });

  it('claims the highest priority source, lowest id on ties, and clears its pending bit', () => {
    const { p, r, w } = plic();
    for (const id of [3, 5, 9]) {
      p.setLevel(id, true);
      w(enable(0), r(enable(0)) | (1 << id));
    }
    w(prio(3), 2);
    w(prio(5), 6);
    w(prio(9), 6);
    expect(r(claim(0))).toBe(5);
    expect(r(0x1000) & (1 << 5)).toBe(0);
    expect(r(claim(0))).toBe(9);
    expect(r(claim(0))).toBe(3);
    expect(r(claim(0))).toBe(0); // nothing left
    expect(p.output(0)).toBe(false);
  });

  it('holds a claimed level source until completion, then pends it again if still high', () => {
    const { p, r, w } = plic();
    w(prio(1), 1);
    w(enable(1), 1 << 1);
    p.setLevel(1, true);
    expect(p.output(1)).toBe(true); // context 1 = hart 0 S-mode
    expect(r(claim(1))).toBe(1);
    expect(p.output(1)).toBe(false);
    p.setLevel(1, true); // the gateway holds requests while in flight
    expect(p.isPending(1)).toBe(false);
    w(claim(1), 1); // complete
    expect(p.isPending(1)).toBe(true);
    expect(p.output(1)).toBe(true);
    expect(r(claim(1))).toBe(1);
    p.setLevel(1, false);
    w(claim(1), 1);
    expect(p.isPending(1)).toBe(false);
    expect(p.output(1)).toBe(false);
  });

  it('keeps 3 priority bits, ignores thresholds above 7, and hard-wires source 0', () => {
    const { r, w } = plic();
    w(prio(4), 0xff);
    expect(r(prio(4))).toBe(7);
    w(threshold(0), 3);
    w(threshold(0), 8);
    expect(r(threshold(0))).toBe(3);
    w(prio(0), 5);
    expect(r(prio(0))).toBe(0);
    w(enable(0), 0xffffffff);
    expect(r(enable(0))).toBe(0xfffffffe);
  });

  it('reaches sources above 31 through the second enable and pending words', () => {
    const { p, r, w } = plic();
    p.setLevel(40, true);
    expect(r(0x1004)).toBe(1 << 8);
    w(prio(40), 3);
    w(enable(0, 1), 1 << 8);
    expect(r(claim(0))).toBe(40);
  });

  it('ignores writes to pending bits, bogus completions and garbage everywhere', () => {
    const { p, r, w } = plic();
    w(0x1000, 0xffffffff);
    expect(r(0x1000)).toBe(0);
    w(claim(0), 77); // never claimed
    w(claim(0), 0xffffffff);
    for (let o = 0; o < 0x600000; o += 0x1ffc) w(o, 0xdeadbeef);
    expect(() => r(0x5ffffc)).not.toThrow();
    // Still a working controller afterwards.
    w(threshold(0), 0);
    w(enable(0), 1 << 2);
    w(prio(2), 1);
    p.setLevel(2, true);
    expect(r(claim(0))).toBe(2);
  });
});

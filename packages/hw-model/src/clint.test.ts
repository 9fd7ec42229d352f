import { describe, expect, it } from 'vitest';
import { Clint } from './clint.js';
import { LabClock } from './clock.js';

// SiFive CLINT map (QEMU virt): msip at 0x0, mtimecmp at 0x4000/0x4004, mtime at 0xbff8/0xbffc.
function clint(cyclesPerTick = 10) {
  const clock = new LabClock(cyclesPerTick);
  const c = new Clint(clock);
  return { clock, c, r: (o: number) => c.read(o, 4), w: (o: number, v: number) => c.write(o, v, 4) };
}

describe('CLINT', () => {
  it('derives mtime from lab cycles divided by cyclesPerTick', () => {
    const { clock, r } = clint(10);
    expect(r(0xbff8)).toBe(0);
    clock.cycles = 12345;
    expect(r(0xbff8)).toBe(1234);
    expect(r(0xbffc)).toBe(0);
    clock.cycles = 10 * (2 ** 32 + 7);
    expect(r(0xbff8)).toBe(7);
    expect(r(0xbffc)).toBe(1);
  });

  it('keeps only bit 0 of msip and reports it as MSIP', () => {
    const { c, r, w } = clint();
    w(0, 0xffffffff);
    expect(r(0)).toBe(1);
    expect(c.msip).toBe(true);
    w(0, 2);
    expect(r(0)).toBe(0);
    expect(c.msip).toBe(false);
  });

  it('raises MTIP exactly when mtime reaches mtimecmp and names that cycle as the next event', () => {
    const { clock, c, w } = clint(10);
    expect(c.mtip).toBe(false); // not armed at reset
    expect(c.nextEventCycle()).toBe(Infinity);
    w(0x4004, 0);
    w(0x4000, 100);
    expect(c.nextEventCycle()).toBe(1000);
    clock.cycles = 999;
    expect(c.mtip).toBe(false);
    clock.cycles = 1000;
    expect(c.mtip).toBe(true);
    expect(c.nextEventCycle()).toBe(Infinity);
    w(0x4000, 200); // a later compare value lowers MTIP again
    expect(c.mtip).toBe(false);
    expect(c.nextEventCycle()).toBe(2000);
  });

  it('compares all 64 bits: mtimecmp = 2^32 is far in the future, all-ones never fires', () => {
    const { clock, c, w } = clint(1);
    w(0x4000, 0);
    w(0x4004, 1);
    clock.cycles = 2 ** 32 - 1;
    expect(c.mtip).toBe(false);
    expect(c.nextEventCycle()).toBe(2 ** 32);
    clock.cycles = 2 ** 32;
    expect(c.mtip).toBe(true);
    w(0x4000, 0xffffffff);
    w(0x4004, 0xffffffff);
    expect(c.mtip).toBe(false);
    expect(c.nextEventCycle()).toBe(Infinity);
  });

  it('reads mtimecmp back and accepts byte writes into it', () => {
    const { c, r } = clint();
    c.write(0x4000, 0x12345678, 4);
    c.write(0x4001, 0xab, 1);
    expect(r(0x4000)).toBe(0x1234ab78);
    expect(c.read(0x4002, 2)).toBe(0x1234);
  });

  it('lets the guest set mtime, keeping it counting with lab cycles', () => {
    const { clock, c, r, w } = clint(10);
    clock.cycles = 500; // mtime 50
    w(0xbff8, 1000);
    expect(r(0xbff8)).toBe(1000);
    clock.cycles = 600;
    expect(r(0xbff8)).toBe(1010);
    w(0x4000, 1020);
    w(0x4004, 0);
    expect(c.nextEventCycle()).toBe(700);
  });

  it('answers 0 for other harts and ignores garbage writes', () => {
    const { r, w } = clint();
    for (let o = 0; o < 0xc000; o += 4) w(o === 0xbff8 || o === 0xbffc ? 0 : o, 0xdeadbeef);
    expect(r(0x4008)).toBe(0);
    expect(r(4)).toBe(0);
  });
});

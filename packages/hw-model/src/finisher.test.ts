import { describe, expect, it } from 'vitest';
import { SifiveTestFinisher } from './finisher.js';
import { HaltState } from './platform.js';

function finisher() {
  const halt = new HaltState();
  return { halt, f: new SifiveTestFinisher(halt) };
}

describe('sifive_test finisher', () => {
  it('powers off with status 0 on 0x5555', () => {
    const { halt, f } = finisher();
    f.write(0, 0x5555, 4);
    expect(halt.reason).toEqual({ kind: 'poweroff', exitCode: 0 });
  });

  it('powers off with the code in bits 31:16 on 0x3333', () => {
    const { halt, f } = finisher();
    f.write(0, (42 << 16) | 0x3333, 4);
    expect(halt.reason).toEqual({ kind: 'poweroff', exitCode: 42 });
  });

  it('requests a reset on 0x7777', () => {
    const { halt, f } = finisher();
    f.write(0, 0x7777, 4);
    expect(halt.reason).toEqual({ kind: 'reset' });
  });

  it('ignores other values and offsets, and keeps the first request', () => {
    const { halt, f } = finisher();
    f.write(0, 0x1234, 4);
    f.write(4, 0x5555, 4);
    expect(halt.halted).toBe(false);
    f.write(0, (1 << 16) | 0x3333, 4);
    f.write(0, 0x5555, 4);
    expect(halt.reason).toEqual({ kind: 'poweroff', exitCode: 1 });
    expect(f.read(0, 4)).toBe(0);
  });
});

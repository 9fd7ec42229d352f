// Test helpers: assemble a program, put it in a MiniPlatform's RAM and run a hart on it.
import { assemble } from '../assemble.js';
import { Hart } from '../hart.js';
import type { HartOptions, RunResult } from '../hart.js';
import { MiniPlatform } from '../mini-platform.js';
import type { MiniPlatformOptions } from '../mini-platform.js';
import { execFileSync } from 'node:child_process';

export const RAM = 0x8000_0000;

/** Ends a program: power off through the finisher with exit code 0. */
export const EXIT = `
  li t6, 0x100000
  li t5, 0x5555
  sw t5, 0(t6)
halt_loop:
  j halt_loop
`;

export interface Machine {
  hart: Hart;
  platform: MiniPlatform;
  labels: Map<string, number>;
  run(max?: number): RunResult;
  reg(name: string): number;
}

const ABI = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7',
  's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];

export function machine(source: string, opts: HartOptions & MiniPlatformOptions = {}): Machine {
  const platform = new MiniPlatform(opts);
  const { words, labels } = assemble(source, RAM);
  platform.load(RAM, words);
  const hart = new Hart(platform, opts);
  return {
    hart,
    platform,
    labels,
    run: (max = 1_000_000) => hart.run(max),
    reg: (name: string) => hart.regs[ABI.indexOf(name)]!,
  };
}

/** Runs `source` + EXIT and returns the machine; fails if it does not power off. */
export function runToExit(source: string, opts: HartOptions & MiniPlatformOptions = {}): Machine {
  const m = machine(source + EXIT, opts);
  const res = m.run();
  if (res.stop.kind !== 'halted') throw new Error(`program did not finish: ${JSON.stringify(res.stop)} at ${m.hart.describe()}`);
  return m;
}

export function has(tool: string): boolean {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// Test helpers: run a program under an engine and take everything the lab can observe of it.
import { CSR, assemble } from '@virtlab/cpu-core';
import type { MachineRunResult } from '@virtlab/hw-model';
import { createEmulator } from '../emulator.js';
import type { Emulator } from '../emulator.js';
import { isEngineSpecificCounter } from '../engine.js';
import type { EngineKind, EngineOptions } from '../engine.js';
import { execFileSync } from 'node:child_process';

export const RAM = 0x8000_0000;

/** Powers the board off through the sifive_test finisher (QEMU-NOTES.md: 0x5555 = pass). */
export const EXIT = `
  li t6, 0x100000
  li t5, 0x5555
  sw t5, 0(t6)
exit_spin:
  j exit_spin
`;

/** Prints the NUL-terminated string at a0 on the UART (ns16550a THR at 0x1000_0000). */
export const PUTS = `
puts:
  li t6, 0x10000000
puts_loop:
  lbu t5, 0(a0)
  beq t5, zero, puts_done
  sb t5, 0(t6)
  addi a0, a0, 1
  j puts_loop
puts_done:
  jalr zero, 0(ra)
`;

/** CSRs compared between engines: the whole privileged state a guest can see. */
const STATE_CSRS = [
  'mstatus', 'misa', 'medeleg', 'mideleg', 'mie', 'mip', 'mtvec', 'mscratch', 'mepc', 'mcause', 'mtval', 'mcounteren',
  'stvec', 'sscratch', 'sepc', 'scause', 'stval', 'scounteren', 'satp', 'mcycle', 'mcycleh', 'minstret', 'minstreth', 'time',
] as const;

export interface LabObservation {
  readonly exit: MachineRunResult['exit'];
  readonly output: string;
  readonly pc: number;
  readonly priv: number;
  readonly regs: readonly number[];
  readonly csrs: Readonly<Record<string, number | undefined>>;
  readonly labCycles: number;
  /** Lab counters (engine machinery such as `predecode.*` and `dbt.*` left out). */
  readonly counters: Readonly<Record<string, number>>;
  /** FNV-1a of all of RAM. */
  readonly ramHash: number;
}

export function observe(emu: Emulator, run: MachineRunResult): LabObservation {
  const hart = emu.engine.hart;
  const csrs: Record<string, number | undefined> = {};
  for (const name of STATE_CSRS) csrs[name] = hart.readCsr(CSR[name]);
  const counters: Record<string, number> = {};
  for (const [k, v] of Object.entries(run.counters)) if (!isEngineSpecificCounter(k)) counters[k] = v;
  let h = 0x811c9dc5;
  const ram = emu.board.bus.ram32;
  for (let i = 0; i < ram.length; i++) h = Math.imul(h ^ ram[i]!, 0x01000193);
  return {
    exit: run.exit,
    output: new TextDecoder().decode(run.output),
    pc: hart.pc,
    priv: hart.priv,
    regs: Array.from(hart.regs.subarray(0, 32)),
    csrs,
    labCycles: run.labCycles,
    counters,
    ramHash: h >>> 0,
  };
}

export interface AsmRun {
  readonly emu: Emulator;
  readonly labels: Map<string, number>;
  readonly obs: LabObservation;
  reg(name: string): number;
}

const ABI = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7',
  's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];

/**
 * Assembles `source` at 0x8000_0000 on a 4 MiB board, places extra `blobs` (assembled at their
 * own addresses, loaded at physical `at`), starts in M-mode, and runs to the end.
 */
export function runAsm(
  kind: EngineKind,
  source: string,
  options: { blobs?: readonly { at: number; base: number; source: string }[]; maxInstructions?: number; engineOptions?: EngineOptions; data?: readonly { at: number; words: readonly number[] }[] } = {},
): AsmRun {
  const emu = createEmulator({ engine: kind, boardOptions: { ramSize: 4 * 1024 * 1024 }, engineOptions: options.engineOptions });
  const { words, labels } = assemble(source, RAM);
  const put = (at: number, w: Int32Array) => emu.board.bus.writeRam(at, new Uint8Array(w.buffer, w.byteOffset, w.byteLength));
  put(RAM, words);
  for (const b of options.blobs ?? []) put(b.at, assemble(b.source, b.base).words);
  for (const d of options.data ?? []) put(d.at, Int32Array.from(d.words));
  emu.engine.pc = RAM;
  emu.engine.priv = 3;
  const run = emu.run({ maxInstructions: options.maxInstructions ?? 5_000_000, sliceSteps: 10_000 });
  return { emu, labels, obs: observe(emu, run), reg: (n) => emu.engine.regs[ABI.indexOf(n)]! };
}

export function has(tool: string): boolean {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

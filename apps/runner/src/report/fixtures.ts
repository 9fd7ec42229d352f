// A bench result with the shape of a real run, for the report tests (the numbers are inputs here,
// not outputs under test).
import type { BenchRecord, BenchResult } from '../bench/record.js';

const lab = (strategy: string, workload: string, labCycles: number, counters: Record<string, number> = {}): BenchRecord => ({
  view: 'lab',
  strategy,
  workload,
  size: 'test',
  status: 'ok',
  equivalent: true,
  exitCode: 0,
  stop: 'exit',
  labCycles,
  counters,
});

const host = (engine: string, workload: string, hostMs: number, extra: Partial<BenchRecord> = {}): BenchRecord => ({
  view: 'host',
  engine,
  workload,
  size: 'test',
  status: 'ok',
  equivalent: true,
  exitCode: 0,
  stop: 'exit',
  hostMs,
  hostRunsMs: [hostMs],
  counters: {},
  ...extra,
});

export function sampleResult(): BenchResult {
  return {
    schema: 'virtlab-bench/1',
    date: '2026-11-24T00:00:00.000Z',
    command: 'virtlab bench --size test',
    machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 24, node: '20.20.2', platform: 'linux 6.1' },
    sizes: ['test'],
    repeats: 3,
    records: [
      lab('native', 'crc32', 1000, { 'trap.ecall_u': 10, 'tlb.misses': 5 }),
      lab('vmm-full', 'crc32', 4000, { 'trap.ecall_u': 10, 'exit.csr': 30, 'tlb.misses': 7 }),
      lab('native', 'sha256', 2000, { 'trap.ecall_u': 20 }),
      lab('vmm-full', 'sha256', 2000, { 'trap.ecall_u': 20 }),
      host('host-native', 'crc32', 2),
      host('cpu-core', 'crc32', 50, { instructions: 5_000_000, mips: 100 }),
      host('host-native', 'sha256', 4),
      host('cpu-core', 'sha256', 400, { instructions: 40_000_000, mips: 100 }),
      { ...host('qemu', 'sha256', 0), hostMs: undefined, hostRunsMs: undefined, status: 'failed', equivalent: false, error: 'spawn failed' },
    ],
    skipped: [{ name: 'qemu', reason: 'qemu-system-riscv32 not found' }],
  };
}

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

/** osbench's items as native and a slower strategy might report them (lab cycles per operation). */
export const SAMPLE_OS_ITEMS: Readonly<Record<'native' | 'vmm-full', Readonly<Record<string, number>>>> = {
  native: {
    null_syscall: 255.3,
    fork_exit_wait: 97359.2,
    fork_execve: 221222,
    pipe_roundtrip: 5753.2,
    page_fault: 5696,
    mmap_munmap_16_pages: 93458.2,
    file_write_4k: 14647.3,
    file_read_4k: 9286.5,
    block_read_4k: 14439.6,
  },
  'vmm-full': {
    null_syscall: 2553,
    fork_exit_wait: 194718.4,
    fork_execve: 442444,
    pipe_roundtrip: 11506.4,
    page_fault: 11392,
    mmap_munmap_16_pages: 186916.4,
    file_write_4k: 29294.6,
    file_read_4k: 18573,
    block_read_4k: 28879.2,
  },
};

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
      { ...lab('native', 'osbench', 41_324_916, { 'trap.ecall_u': 25_000 }), items: SAMPLE_OS_ITEMS.native },
      { ...lab('vmm-full', 'osbench', 90_000_000, { 'trap.ecall_u': 25_000 }), items: SAMPLE_OS_ITEMS['vmm-full'] },
      host('host-native', 'crc32', 2),
      host('cpu-core', 'crc32', 50, { instructions: 5_000_000, mips: 100 }),
      host('host-native', 'sha256', 4),
      host('cpu-core', 'sha256', 400, { instructions: 40_000_000, mips: 100 }),
      { ...host('qemu', 'sha256', 0), hostMs: undefined, hostRunsMs: undefined, status: 'failed', equivalent: false, error: 'spawn failed' },
    ],
    skipped: [{ name: 'qemu', reason: 'qemu-system-riscv32 not found' }],
  };
}

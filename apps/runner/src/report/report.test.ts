import { describe, expect, it } from 'vitest';
import { buildMatrix, geomeanRatio, ratioToBaseline, tellingCounters } from '../bench/matrix.js';
import { geomean, median } from '../bench/stats.js';
import { sampleResult } from './fixtures.js';
import { chartSpecs } from './html.js';
import { markdownTable, renderMarkdown } from './markdown.js';
import { allEquivalent, hostTables, labTables, notes } from './tables.js';
import { textTable } from './text-table.js';

describe('statistics', () => {
  it('median of odd and even lists', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });
  it('geometric mean', () => {
    expect(geomean([1, 4])).toBeCloseTo(2, 12);
    expect(geomean([2, 8, 4])).toBeCloseTo(4, 12);
    expect(geomean([])).toBeUndefined();
    expect(geomean([1, 0])).toBeUndefined();
  });
});

describe('matrix', () => {
  const result = sampleResult();
  it('puts the baseline first and takes ratios against it per row', () => {
    const m = buildMatrix(result.records, 'lab');
    expect(m.columns).toEqual(['native', 'vmm-full']);
    expect(m.rows.map((r) => r.workload)).toEqual(['crc32', 'sha256']);
    expect(ratioToBaseline(m, m.rows[0]!, 'vmm-full')).toBe(4);
    expect(ratioToBaseline(m, m.rows[1]!, 'vmm-full')).toBe(1);
    expect(geomeanRatio(m, 'vmm-full')).toBeCloseTo(2, 12);
    expect(geomeanRatio(m, 'native')).toBeCloseTo(1, 12);
  });
  it('leaves failed cells out of ratios', () => {
    const m = buildMatrix(result.records, 'host');
    expect(m.columns).toEqual(['host-native', 'cpu-core', 'qemu']);
    expect(ratioToBaseline(m, m.rows[1]!, 'qemu')).toBeUndefined();
    expect(geomeanRatio(m, 'cpu-core')).toBeCloseTo(Math.sqrt(25 * 100), 9);
  });
  it('sums the telling counters', () => {
    expect(tellingCounters(result.records[1]!)).toEqual({ traps: 10, exits: 30, tlbMisses: 7 });
  });
});

describe('tables', () => {
  const result = sampleResult();
  it('lab table shows marks, cycles, ratios and a geomean row', () => {
    const [main, counters] = labTables(result);
    expect(main!.header).toEqual(['workload', 'native', 'vmm-full']);
    expect(main!.rows[0]).toEqual(['crc32 (test)', '✓ 1.00k ×1.00', '✓ 4.00k ×4.00']);
    expect(main!.rows.at(-1)).toEqual(['geomean', '×1.00', '×2.00']);
    expect(counters!.rows[0]).toEqual(['crc32 (test)', '10 / 0 / 5', '10 / 30 / 7']);
  });
  it('host table shows median time, ratio and MIPS', () => {
    const [main] = hostTables(result);
    expect(main!.rows[1]).toEqual(['sha256 (test)', '✓ 4.00 ms ×1.00', '✓ 400 ms ×100 100 MIPS', '!']);
    expect(main!.rows.at(-1)![2]).toBe('×50.0 100 MIPS');
  });
  it('notes name skipped engines and failed cells; equivalence fails on a failed cell', () => {
    expect(notes(result)).toEqual([
      'skipped qemu: qemu-system-riscv32 not found',
      'failed host qemu × sha256 (test): spawn failed',
    ]);
    expect(allEquivalent(result.records)).toBe(false);
    expect(allEquivalent(result.records.slice(0, 8))).toBe(true);
  });
  it('renders aligned text and Markdown', () => {
    expect(textTable(['a', 'bb'], [['xyz', '1']])).toBe('a    bb\n───  ──\nxyz   1');
    expect(markdownTable({ title: 'T', header: ['a', 'b'], rows: [['x|y', '1']] })).toBe(
      '### T\n\n| a | b |\n| --- | ---: |\n| x\\|y | 1 |',
    );
    const md = renderMarkdown(result);
    expect(md).toContain('- machine: Test CPU, 2 cores, 24 GiB');
    expect(md).toContain('- skipped qemu: qemu-system-riscv32 not found');
  });
  it('chart specs carry one dataset per runner with the geomean last', () => {
    const [labChart, hostChart] = chartSpecs(result);
    expect(labChart!.labels).toEqual(['crc32 (test)', 'sha256 (test)', 'geomean']);
    expect(labChart!.datasets.map((d) => d.label)).toEqual(['native', 'vmm-full']);
    expect(labChart!.datasets[1]!.data[0]).toBe(4);
    expect(labChart!.datasets[1]!.data[2]).toBeCloseTo(2, 12);
    expect(hostChart!.datasets[2]!.data).toEqual([null, null, null]);
  });
});

import { describe, expect, it } from 'vitest';
import { buildComputeMatrix, buildMatrix, geomeanRatio, ratioToBaseline, tellingCounters } from '../bench/matrix.js';
import { geomean, median } from '../bench/stats.js';
import { SAMPLE_OS_ITEMS, sampleResult } from './fixtures.js';
import { chartSpecs } from './html.js';
import { markdownTable, renderMarkdown } from './markdown.js';
import { allEquivalent, allTables, hostTables, labTables, notes, osTables } from './tables.js';
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
    // osbench is a row of the plain matrix, not of the compute one the lab table shows.
    expect(buildMatrix(result.records, 'lab').rows.map((r) => r.workload)).toEqual(['crc32', 'sha256', 'osbench']);
    const m = buildComputeMatrix(result.records, 'lab');
    expect(m.columns).toEqual(['native', 'vmm-full']);
    expect(m.rows.map((r) => r.workload)).toEqual(['crc32', 'sha256']);
    expect(ratioToBaseline(m, m.rows[0]!, 'vmm-full')).toBe(4);
    expect(ratioToBaseline(m, m.rows[1]!, 'vmm-full')).toBe(1);
    expect(geomeanRatio(m, 'vmm-full')).toBeCloseTo(2, 12);
    expect(geomeanRatio(m, 'native')).toBeCloseTo(1, 12);
  });
  it('leaves failed cells out of ratios', () => {
    const m = buildComputeMatrix(result.records, 'host');
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
  it('lab compute table leaves osbench out: its geomean is over the compute workloads alone', () => {
    const [main, counters] = labTables(result);
    expect(main!.rows.map((r) => r[0])).toEqual(['crc32 (test)', 'sha256 (test)', 'geomean']);
    expect(counters!.rows.map((r) => r[0])).toEqual(['crc32 (test)', 'sha256 (test)']);
  });
  it('OS table: item × strategy, lab cycles per operation, ratio to native, geomean over the items', () => {
    const [os, ...more] = osTables(result);
    expect(more).toEqual([]);
    expect(os!.title).toBe('OS table — osbench: lab cycles per operation and ratio to native (✓ equivalent, ✗ differs, ! failed)');
    expect(os!.header).toEqual(['item', 'native', 'vmm-full']);
    expect(os!.rows.map((r) => r[0])).toEqual([
      'null_syscall (test)', 'fork_exit_wait (test)', 'fork_execve (test)', 'pipe_roundtrip (test)', 'page_fault (test)',
      'mmap_munmap_16_pages (test)', 'file_write_4k (test)', 'file_read_4k (test)', 'block_read_4k (test)', 'geomean',
    ]);
    expect(os!.rows[0]).toEqual(['null_syscall (test)', '✓ 255 ×1.00', '✓ 2.55k ×10.0']);
    expect(os!.rows[2]).toEqual(['fork_execve (test)', '✓ 221k ×1.00', '✓ 442k ×2.00']);
    // Eight items at ×2 and one at ×10: (2^8 · 10)^(1/9).
    expect(os!.rows.at(-1)).toEqual(['geomean', '×1.00', `×${((2 ** 8 * 10) ** (1 / 9)).toFixed(2)}`]);
    expect(allTables(result).map((t) => t.title.split(' — ')[0])).toEqual(['Lab view', 'Lab view', 'OS table', 'Host view']);
  });
  it('OS table shows a failed run as ! and leaves its ratio out; no OS records, no OS table', () => {
    const records = result.records.map((r) =>
      r.strategy === 'vmm-full' && r.workload === 'osbench' ? { ...r, status: 'failed' as const, items: undefined, error: 'osbench: no @metric osbench.<item> line for page_fault' } : r,
    );
    const [os] = osTables({ ...result, records });
    expect(os!.rows[0]).toEqual(['null_syscall (test)', '✓ 255 ×1.00', '!']);
    expect(os!.rows.at(-1)).toEqual(['geomean', '×1.00', '']);
    expect(osTables({ ...result, records: result.records.filter((r) => r.workload !== 'osbench') })).toEqual([]);
  });
  it('the JSON carries each osbench record\'s items and renders the same OS table when read back', () => {
    const back = JSON.parse(JSON.stringify(result)) as typeof result;
    expect(back.records.find((r) => r.strategy === 'native' && r.workload === 'osbench')?.items).toEqual(SAMPLE_OS_ITEMS.native);
    expect(osTables(back)).toEqual(osTables(result));
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
    expect(allEquivalent(result.records.slice(0, 10))).toBe(true);
  });
  it('renders aligned text and Markdown', () => {
    expect(textTable(['a', 'bb'], [['xyz', '1']])).toBe('a    bb\n───  ──\nxyz   1');
    expect(markdownTable({ title: 'T', header: ['a', 'b'], rows: [['x|y', '1']] })).toBe(
      '### T\n\n| a | b |\n| --- | ---: |\n| x\\|y | 1 |',
    );
    const md = renderMarkdown(result);
    expect(md).toContain('- machine: Test CPU, 2 cores, 24 GiB');
    expect(md).toContain('- skipped qemu: qemu-system-riscv32 not found');
    expect(md).toContain('### OS table — osbench: lab cycles per operation');
    expect(md).toContain('| page_fault (test) | ✓ 5.70k ×1.00 | ✓ 11.4k ×2.00 |');
    expect(md.indexOf('### OS table')).toBeLessThan(md.indexOf('### Host view'));
    // Files from before the lab flags carry neither field: the defaults are what those runs used.
    expect(md).toContain('- lab view: cost model `default`, ISA profile `rv32ima`');
    expect(renderMarkdown({ ...result, costModel: 'vtx-2006', profile: 'legacy' })).toContain('- lab view: cost model `vtx-2006`, ISA profile `legacy`');
  });
  it('chart specs carry one dataset per runner with the geomean last', () => {
    const [labChart, osChart, hostChart] = chartSpecs(result);
    expect(osChart!.id).toBe('chart-os-osbench'); // the OS chart follows the lab chart, as its table does
    expect(labChart!.labels).toEqual(['crc32 (test)', 'sha256 (test)', 'geomean']);
    expect(labChart!.datasets.map((d) => d.label)).toEqual(['native', 'vmm-full']);
    expect(labChart!.datasets[1]!.data[0]).toBe(4);
    expect(labChart!.datasets[1]!.data[2]).toBeCloseTo(2, 12);
    expect(hostChart!.datasets[2]!.data).toEqual([null, null, null]);
    expect(hostChart!.scale).toBe('logarithmic');
    expect(labChart!.scale).toBe('linear');
  });
  it('the OS chart has a bar per strategy per item: lab cycles per operation on a log scale', () => {
    const osChart = chartSpecs(result).find((s) => s.id === 'chart-os-osbench')!;
    expect(osChart.scale).toBe('logarithmic');
    expect(osChart.yTitle).toBe('lab cycles per operation');
    expect(osChart.labels).toHaveLength(9);
    expect(osChart.labels[3]).toBe('pipe_roundtrip (test)');
    expect(osChart.datasets.map((d) => d.label)).toEqual(['native', 'vmm-full']);
    expect(osChart.datasets[0]!.data).toEqual(Object.values(SAMPLE_OS_ITEMS.native));
    expect(osChart.datasets[1]!.data[0]).toBe(2553);
  });
});

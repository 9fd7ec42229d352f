import {
  buildItemMatrices,
  buildComputeMatrix,
  geomeanItemRatio,
  geomeanMips,
  geomeanRatio,
  itemCycles,
  itemRatio,
  ratioToBaseline,
  tellingCounters,
  type Matrix,
} from '../bench/matrix.js';
import { runnerOf, type BenchRecord, type BenchResult } from '../bench/record.js';
import { compact, markOf, ms, ratio } from './format.js';

/** A table as data, rendered to text, Markdown or HTML by the callers. */
export interface TableData {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export const rowLabel = (workload: string, size: string) => (size === 'test' ? `${workload} (test)` : workload);

function labCell(matrix: Matrix, row: Matrix['rows'][number], col: string): string {
  const r = row.cells.get(col);
  if (r === undefined) return '';
  if (r.status !== 'ok' || r.labCycles === undefined) return markOf(r);
  return `${markOf(r)} ${compact(r.labCycles)} ${ratio(ratioToBaseline(matrix, row, col))}`.trimEnd();
}

function hostCell(matrix: Matrix, row: Matrix['rows'][number], col: string): string {
  const r = row.cells.get(col);
  if (r === undefined) return '';
  if (r.status !== 'ok' || r.hostMs === undefined) return markOf(r);
  const mips = r.mips === undefined ? '' : ` ${compact(r.mips)} MIPS`;
  return `${markOf(r)} ${ms(r.hostMs)} ${ratio(ratioToBaseline(matrix, row, col))}${mips}`.trimEnd();
}

/**
 * The lab view's compute tables: the compute suite only. OS workloads (osbench) have tables of
 * their own (`osTables`): a whole osbench run is boot plus a mix of kernel paths, and its lab
 * cycles would only blur the compute geomean.
 */
export function labTables(result: BenchResult): TableData[] {
  const m = buildComputeMatrix(result.records, 'lab');
  if (m.rows.length === 0) return [];
  const main: TableData = {
    title: `Lab view — lab cycles and ratio to ${m.baseline} (✓ equivalent, ✗ differs, ! failed)`,
    header: ['workload', ...m.columns],
    rows: [
      ...m.rows.map((row) => [rowLabel(row.workload, row.size), ...m.columns.map((c) => labCell(m, row, c))]),
      ['geomean', ...m.columns.map((c) => ratio(geomeanRatio(m, c)))],
    ],
  };
  const counters: TableData = {
    title: 'Lab view — telling counters (traps+interrupts / VM exits / TLB misses)',
    header: ['workload', ...m.columns],
    rows: m.rows.map((row) => [
      rowLabel(row.workload, row.size),
      ...m.columns.map((c) => {
        const r = row.cells.get(c);
        if (r === undefined || r.status !== 'ok') return '';
        const t = tellingCounters(r);
        return `${compact(t.traps)} / ${compact(t.exits)} / ${compact(t.tlbMisses)}`;
      }),
    ]),
  };
  return [main, counters];
}

/**
 * The lab view's OS table, one per OS workload: item × strategy, lab cycles per operation and
 * ratio to native, and the geometric mean of the ratios over the items. Columns are the
 * strategies that ran the workload; one without a guest kernel (`bare`) has no column.
 */
export function osTables(result: BenchResult): TableData[] {
  return buildItemMatrices(result.records).map((m) => ({
    title: `OS table — ${m.workload}: lab cycles per operation and ratio to ${m.matrix.baseline} (✓ equivalent, ✗ differs, ! failed)`,
    header: ['item', ...m.matrix.columns],
    rows: [
      ...m.rows.map(({ item, size, row }) => [
        rowLabel(item, size),
        ...m.matrix.columns.map((c) => {
          const r = row.cells.get(c);
          const cycles = itemCycles(r, item);
          if (r === undefined || cycles === undefined) return r === undefined ? '' : markOf(r);
          return `${markOf(r)} ${compact(cycles)} ${ratio(itemRatio(m, row, c, item))}`.trimEnd();
        }),
      ]),
      ['geomean', ...m.matrix.columns.map((c) => ratio(geomeanItemRatio(m, c)))],
    ],
  }));
}

/** Every table of a result in the order they are printed: lab compute, lab OS, host. */
export function allTables(result: BenchResult): TableData[] {
  return [...labTables(result), ...osTables(result), ...hostTables(result)];
}

export function hostTables(result: BenchResult): TableData[] {
  const m = buildComputeMatrix(result.records, 'host');
  if (m.rows.length === 0) return [];
  return [
    {
      title: `Host view — median wall-clock time of up to ${result.repeats} run(s), ratio to ${m.baseline}, MIPS`,
      header: ['workload', ...m.columns],
      rows: [
        ...m.rows.map((row) => [rowLabel(row.workload, row.size), ...m.columns.map((c) => hostCell(m, row, c))]),
        [
          'geomean',
          ...m.columns.map((c) => {
            const mips = geomeanMips(m, c);
            return `${ratio(geomeanRatio(m, c))}${mips === undefined ? '' : ` ${compact(mips)} MIPS`}`;
          }),
        ],
      ],
    },
  ];
}

/** Lines explaining every cell that is not a plain ✓, and every skipped runner. */
export function notes(result: BenchResult): string[] {
  const lines: string[] = [];
  for (const s of result.skipped) lines.push(`skipped ${s.name}: ${s.reason}`);
  for (const r of result.records) {
    const at = `${r.view} ${runnerOf(r)} × ${r.workload} (${r.size})`;
    if (r.status === 'failed') lines.push(`failed ${at}: ${r.error ?? 'unknown error'}`);
    else if (r.status === 'ok' && !r.equivalent) lines.push(`not equivalent ${at}: ${r.difference ?? ''}`);
  }
  return lines;
}

export function allEquivalent(records: readonly BenchRecord[]): boolean {
  return records.every((r) => r.status === 'skipped' || (r.status === 'ok' && r.equivalent));
}

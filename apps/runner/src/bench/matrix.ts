import type { View, WorkloadSize } from '@virtlab/strategy';
import { osItemsOf } from './items.js';
import { runnerOf, type BenchRecord } from './record.js';
import { geomean } from './stats.js';

/** The baseline each view's ratios are taken against. */
export const BASELINE: Readonly<Record<View, string>> = { lab: 'native', host: 'host-native' };

export interface MatrixRow {
  readonly workload: string;
  readonly size: WorkloadSize;
  readonly cells: ReadonlyMap<string, BenchRecord>;
}

/** One view's results as workload × runner, with ratios to the view's baseline. */
export interface Matrix {
  readonly view: View;
  readonly baseline: string;
  readonly columns: readonly string[];
  readonly rows: readonly MatrixRow[];
}

export function buildMatrix(records: readonly BenchRecord[], view: View): Matrix {
  const mine = records.filter((r) => r.view === view);
  const columns: string[] = [];
  const rows = new Map<string, { workload: string; size: WorkloadSize; cells: Map<string, BenchRecord> }>();
  for (const r of mine) {
    const col = runnerOf(r);
    if (!columns.includes(col)) columns.push(col);
    const key = `${r.workload}\u0000${r.size}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = { workload: r.workload, size: r.size, cells: new Map() };
      rows.set(key, row);
    }
    row.cells.set(col, r);
  }
  const baseline = BASELINE[view];
  // Baseline first, the rest in the order they were asked for.
  columns.sort((a, b) => Number(b === baseline) - Number(a === baseline));
  return { view, baseline, columns, rows: [...rows.values()] };
}

/** One view's compute matrix: every record but those of OS workloads (see `buildItemMatrices`). */
export function buildComputeMatrix(records: readonly BenchRecord[], view: View): Matrix {
  return buildMatrix(
    records.filter((r) => !isOsRecord(r)),
    view,
  );
}

/** The figure a view compares: lab cycles or median host milliseconds. */
export function measure(r: BenchRecord | undefined): number | undefined {
  if (r === undefined || r.status !== 'ok') return undefined;
  return r.view === 'lab' ? r.labCycles : r.hostMs;
}

/** A cell's cost relative to the baseline in the same row (1 = as fast as the baseline). */
export function ratioToBaseline(matrix: Matrix, row: MatrixRow, column: string): number | undefined {
  const value = measure(row.cells.get(column));
  const base = measure(row.cells.get(matrix.baseline));
  if (value === undefined || base === undefined || !(base > 0)) return undefined;
  return value / base;
}

/** Geometric mean of a column's ratios over the rows where both it and the baseline ran. */
export function geomeanRatio(matrix: Matrix, column: string): number | undefined {
  const ratios = matrix.rows
    .map((row) => ratioToBaseline(matrix, row, column))
    .filter((r): r is number => r !== undefined);
  return geomean(ratios);
}

/** Geometric mean of a column's MIPS where reported. */
export function geomeanMips(matrix: Matrix, column: string): number | undefined {
  const mips = matrix.rows.map((row) => row.cells.get(column)?.mips).filter((m): m is number => m !== undefined);
  return geomean(mips);
}

/** The counters that tell the strategies apart: traps, VM exits, TLB misses. */
export function tellingCounters(r: BenchRecord): { traps: number; exits: number; tlbMisses: number } {
  const c = r.counters;
  // Totals where the hart reports them, else the sum of the per-cause counters.
  const sum = (prefix: string) =>
    c[`${prefix}total`] ??
    Object.entries(c).reduce((n, [name, value]) => (name.startsWith(prefix) ? n + value : n), 0);
  const exits = c['vm.exits'] ?? sum('exit.');
  return { traps: sum('trap.') + sum('irq.'), exits, tlbMisses: c['tlb.misses'] ?? 0 };
}

/** An OS workload's lab-view results: one row per item and size, the item's cycles per operation by strategy. */
export interface ItemMatrix {
  readonly workload: string;
  readonly matrix: Matrix;
  readonly rows: readonly { readonly item: string; readonly size: WorkloadSize; readonly row: MatrixRow }[];
}

/** The lab records of OS workloads (osbench), which the compute matrices leave out. */
export const isOsRecord = (r: BenchRecord): boolean => osItemsOf(r.workload) !== undefined;

/** One item matrix per OS workload among the lab records, items in the order the workload prints them. */
export function buildItemMatrices(records: readonly BenchRecord[]): ItemMatrix[] {
  const lab = records.filter((r) => r.view === 'lab' && isOsRecord(r));
  return [...new Set(lab.map((r) => r.workload))].map((workload) => {
    const matrix = buildMatrix(
      lab.filter((r) => r.workload === workload),
      'lab',
    );
    const items = osItemsOf(workload) ?? [];
    return { workload, matrix, rows: matrix.rows.flatMap((row) => items.map((item) => ({ item, size: row.size, row }))) };
  });
}

/** Lab cycles per operation of one item in a cell, where the cell ran. */
export function itemCycles(r: BenchRecord | undefined, item: string): number | undefined {
  return r?.status === 'ok' ? r.items?.[item] : undefined;
}

/** An item's cycles per operation relative to the baseline strategy's in the same row. */
export function itemRatio(m: ItemMatrix, row: MatrixRow, column: string, item: string): number | undefined {
  const value = itemCycles(row.cells.get(column), item);
  const base = itemCycles(row.cells.get(m.matrix.baseline), item);
  if (value === undefined || base === undefined || !(base > 0)) return undefined;
  return value / base;
}

/** Geometric mean over the items of a column's ratios to the baseline. */
export function geomeanItemRatio(m: ItemMatrix, column: string): number | undefined {
  return geomean(m.rows.map(({ row, item }) => itemRatio(m, row, column, item)).filter((r): r is number => r !== undefined));
}

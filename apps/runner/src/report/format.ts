import type { BenchRecord } from '../bench/record.js';

export const MARK = { equivalent: '✓', different: '✗', failed: '!', skipped: '–' } as const;

export function markOf(r: BenchRecord | undefined): string {
  if (r === undefined || r.status === 'skipped') return MARK.skipped;
  if (r.status === 'failed') return MARK.failed;
  return r.equivalent ? MARK.equivalent : MARK.different;
}

/** 1234567 → "1.23M"; keeps three significant digits. */
export function compact(n: number): string {
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, unit] of units) {
    if (Math.abs(n) >= scale) return `${(n / scale).toPrecision(3)}${unit}`;
  }
  return Number.isInteger(n) ? String(n) : n.toPrecision(3);
}

export function ms(n: number): string {
  return n >= 100 ? `${n.toFixed(0)} ms` : n >= 10 ? `${n.toFixed(1)} ms` : `${n.toFixed(2)} ms`;
}

export function ratio(r: number | undefined): string {
  return r === undefined ? '' : `×${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}`;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Geometric mean of positive values; undefined for an empty list or any non-positive value. */
export function geomean(values: readonly number[]): number | undefined {
  if (values.length === 0 || values.some((v) => !(v > 0) || !Number.isFinite(v))) return undefined;
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}

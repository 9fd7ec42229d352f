/** Lines that begin with this prefix are measurements, left out of equivalence checks. */
export const METRIC_PREFIX = '@metric ';

/**
 * The output-equivalence rule: outputs must be byte-identical after removing every line that
 * begins with `@metric ` (the line and its newline).
 */
export function stripMetricLines(output: string): string {
  if (!output.includes(METRIC_PREFIX)) return output;
  const lines = output.split('\n');
  const kept = lines.filter((line) => !line.startsWith(METRIC_PREFIX));
  return kept.join('\n');
}

/** The `@metric name value [unit]` lines of an output, parsed. */
export interface MetricLine {
  readonly name: string;
  readonly value: number;
  readonly unit?: string;
}

export function parseMetricLines(output: string): MetricLine[] {
  const metrics: MetricLine[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith(METRIC_PREFIX)) continue;
    const [name, value, unit] = line.slice(METRIC_PREFIX.length).trim().split(/\s+/);
    const number = Number(value);
    if (name === undefined || name === '' || !Number.isFinite(number)) continue;
    metrics.push(unit === undefined ? { name, value: number } : { name, value: number, unit });
  }
  return metrics;
}

/** Where two outputs first differ: 1-based line number and the two lines (undefined past the end). */
export interface OutputDifference {
  readonly line: number;
  readonly expected: string | undefined;
  readonly actual: string | undefined;
}

/**
 * Compares two outputs under the equivalence rule. Returns `null` when they are equivalent,
 * otherwise the first line (after removing metric lines) where they differ.
 */
export function firstDifference(expected: string, actual: string): OutputDifference | null {
  const a = stripMetricLines(expected);
  const b = stripMetricLines(actual);
  if (a === b) return null;
  const left = a.split('\n');
  const right = b.split('\n');
  const n = Math.max(left.length, right.length);
  for (let i = 0; i < n; i++) {
    if (left[i] !== right[i]) return { line: i + 1, expected: left[i], actual: right[i] };
  }
  // Unreachable for unequal strings: split is injective for a fixed separator.
  return { line: n, expected: left[n - 1], actual: right[n - 1] };
}

export function outputsEquivalent(expected: string, actual: string): boolean {
  return firstDifference(expected, actual) === null;
}

/** Renders a difference for error messages: `line 3: expected "abc", got "abd"`. */
export function describeDifference(d: OutputDifference): string {
  const show = (s: string | undefined) => (s === undefined ? '<end of output>' : JSON.stringify(s));
  return `line ${d.line}: expected ${show(d.expected)}, got ${show(d.actual)}`;
}

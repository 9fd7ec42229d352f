/**
 * Renders rows of cells as an aligned plain-text table with a header rule. The first column is
 * left-aligned, the others right-aligned (numbers) unless `leftAligned` says otherwise.
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], leftAligned = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i < leftAligned ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

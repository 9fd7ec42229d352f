import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { buildComputeMatrix, buildItemMatrices, geomeanRatio, itemCycles, ratioToBaseline } from '../bench/matrix.js';
import type { BenchResult } from '../bench/record.js';
import { allTables, notes, rowLabel, type TableData } from './tables.js';

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Chart.js's UMD bundle, inlined so the page reads offline. */
function chartJsSource(): string {
  const main = createRequire(import.meta.url).resolve('chart.js');
  return readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
}

function htmlTable(t: TableData): string {
  const head = t.header.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = t.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<h2>${esc(t.title)}</h2>\n<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/**
 * Per view: one bar per runner per workload (ratio to the baseline), plus the geometric mean; per
 * OS workload: one bar per strategy per item (lab cycles per operation, log scale).
 */
export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly scale: 'linear' | 'logarithmic';
  readonly yTitle: string;
  readonly labels: readonly string[];
  readonly datasets: readonly { readonly label: string; readonly data: readonly (number | null)[] }[];
}

export function chartSpecs(result: BenchResult): ChartSpec[] {
  const specs: ChartSpec[] = [];
  for (const view of ['lab', 'host'] as const) {
    const m = buildComputeMatrix(result.records, view);
    if (m.rows.length === 0) continue;
    const labels = [...m.rows.map((r) => rowLabel(r.workload, r.size)), 'geomean'];
    specs.push({
      id: `chart-${view}`,
      title:
        view === 'lab'
          ? `Lab view: lab cycles relative to ${m.baseline} (lower is better)`
          : `Host view: wall-clock time relative to ${m.baseline} (lower is better, log scale)`,
      scale: view === 'lab' ? 'linear' : 'logarithmic',
      yTitle: 'ratio',
      labels,
      datasets: m.columns.map((c) => ({
        label: c,
        data: [...m.rows.map((row) => ratioToBaseline(m, row, c) ?? null), geomeanRatio(m, c) ?? null],
      })),
    });
    if (view === 'lab') {
      for (const os of buildItemMatrices(result.records)) {
        specs.push({
          id: `chart-os-${os.workload}`,
          title: `OS table (${os.workload}): lab cycles per operation by strategy (lower is better, log scale)`,
          scale: 'logarithmic',
          yTitle: 'lab cycles per operation',
          labels: os.rows.map(({ item, size }) => rowLabel(item, size)),
          datasets: os.matrix.columns.map((c) => ({ label: c, data: os.rows.map(({ item, row }) => itemCycles(row.cells.get(c), item) ?? null) })),
        });
      }
    }
  }
  return specs;
}

export function renderHtml(result: BenchResult): string {
  const specs = chartSpecs(result);
  const tables = allTables(result).map(htmlTable).join('\n');
  const noteList = notes(result);
  const m = result.machine;
  const data = JSON.stringify(specs).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>virtlab bench — ${esc(result.date)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: .25rem .6rem; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
tbody tr:last-child { font-weight: 600; }
.chart { position: relative; height: 420px; margin-bottom: 2rem; }
</style>
</head>
<body>
<h1>virtlab bench</h1>
<p>${esc(result.date)} · ${esc(m.cpu)}, ${m.cores} cores · Node ${esc(m.node)} · <code>${esc(result.command)}</code> · lab view: cost model <code>${esc(result.costModel ?? 'default')}</code>, ISA profile <code>${esc(result.profile ?? 'rv32ima')}</code></p>
${specs.map((s) => `<h2>${esc(s.title)}</h2>\n<div class="chart"><canvas id="${s.id}" role="img" aria-label="${esc(s.title)}"></canvas></div>`).join('\n')}
${tables}
${noteList.length > 0 ? `<h2>Notes</h2><ul>${noteList.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<script>${chartJsSource()}</script>
<script>
const specs = ${data};
window.virtlabCharts = specs.map((spec) => new Chart(document.getElementById(spec.id), {
  type: 'bar',
  data: { labels: spec.labels, datasets: spec.datasets.map((d) => ({ label: d.label, data: d.data })) },
  options: {
    animation: false,
    maintainAspectRatio: false,
    scales: { y: { type: spec.scale, title: { display: true, text: spec.yTitle } } },
  },
}));
</script>
</body>
</html>
`;
}

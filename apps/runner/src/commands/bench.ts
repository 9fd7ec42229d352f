import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { WorkloadSize } from '@virtlab/strategy';
import { runBench } from '../bench/bench.js';
import { runnerOf, type BenchRecord, type BenchResult } from '../bench/record.js';
import { markOf } from '../report/format.js';
import { renderHtml } from '../report/html.js';
import { renderMarkdown } from '../report/markdown.js';
import { allEquivalent, allTables, notes } from '../report/tables.js';
import { textTable } from '../report/text-table.js';
import { addLabFlags, labOptionsOf, parseSize, type LabFlags } from './options.js';

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

export function printResult(result: BenchResult): void {
  const out: string[] = [];
  for (const t of allTables(result)) out.push(t.title, textTable(t.header, t.rows), '');
  const n = notes(result);
  if (n.length > 0) out.push('Notes', ...n.map((line) => `  ${line}`), '');
  process.stdout.write(out.join('\n'));
}

/** Progress on stderr: one rewritten line on a terminal, a line per cell otherwise. */
function progress(done: number, total: number, r: BenchRecord): void {
  const text = `[${done}/${total}] ${r.view} ${runnerOf(r)} × ${r.workload} (${r.size}) ${markOf(r)}`;
  if (process.stderr.isTTY) {
    process.stderr.write(`\r\x1b[2K${text}${done === total ? '\n' : ''}`);
  } else {
    process.stderr.write(`${text}\n`);
  }
}

export function writeOutputs(result: BenchResult, files: { json?: string; md?: string; html?: string }): void {
  if (files.json !== undefined) writeFileSync(files.json, `${JSON.stringify(result, null, 2)}\n`);
  if (files.md !== undefined) writeFileSync(files.md, renderMarkdown(result));
  if (files.html !== undefined) writeFileSync(files.html, renderHtml(result));
}

interface BenchFlags extends LabFlags {
  strategies?: string[];
  skip?: string[];
  workloads?: string[];
  size: WorkloadSize[];
  labSize?: WorkloadSize[];
  hostSize?: WorkloadSize[];
  repeats: number;
  repeatBudget?: number;
  threads?: number;
  json?: string;
  md?: string;
  html?: string;
}

export function registerBench(program: Command): void {
  const command = program
    .command('bench')
    .description('run workloads under every strategy (lab view) and engine (host view), print both tables')
    .option('--strategies <names>', 'comma-separated strategies and engines (default: all available)', list)
    .option('--skip <names>', 'comma-separated strategies and engines to leave out (listed as skipped)', list)
    .option('--workloads <names>', 'comma-separated workloads (default: all)', list)
    .option('--size <sizes>', 'comma-separated sizes for both views: test, bench', (v) => list(v).map(parseSize), ['test'])
    .option('--lab-size <sizes>', 'sizes for the lab view (overrides --size)', (v) => list(v).map(parseSize))
    .option('--host-size <sizes>', 'sizes for the host view (overrides --size)', (v) => list(v).map(parseSize))
    .option('--repeats <n>', 'host-view runs per cell at most; the median is reported', (v) => Number.parseInt(v, 10), 3)
    .option('--repeat-budget <ms>', 'start no further repeat of a cell once its runs took this long', (v) => Number.parseInt(v, 10))
    .option('--threads <n>', 'worker threads (default: up to 2)', (v) => Number.parseInt(v, 10))
    .option('--json <file>', 'write the records as JSON')
    .option('--md <file>', 'write the tables as Markdown')
    .option('--html <file>', 'write a self-contained HTML report with charts');
  addLabFlags(command, 'what runs the lab-view strategies: interp (default) or dbt; lab cycles and counters do not change')
    .action(async (flags: BenchFlags) => {
      if (!(flags.repeats >= 1)) throw new Error(`--repeats must be at least 1, got ${flags.repeats}`);
      const result = await runBench({
        ...(flags.strategies === undefined ? {} : { runners: flags.strategies }),
        ...(flags.skip === undefined ? {} : { skip: flags.skip }),
        ...(flags.workloads === undefined ? {} : { workloads: flags.workloads }),
        sizes: { lab: flags.labSize ?? flags.size, host: flags.hostSize ?? flags.size },
        repeats: flags.repeats,
        ...(flags.repeatBudget === undefined ? {} : { repeatBudgetMs: flags.repeatBudget }),
        ...(flags.threads === undefined ? {} : { threads: flags.threads }),
        lab: labOptionsOf(flags),
        costModelName: flags.costModel?.spec ?? 'default',
        command: `virtlab ${process.argv.slice(2).join(' ')}`,
        onProgress: progress,
      });
      printResult(result);
      writeOutputs(result, flags);
      if (!allEquivalent(result.records)) {
        process.stderr.write('virtlab: at least one run broke equivalence or failed (see Notes)\n');
        process.exitCode = 1;
      }
    });
}

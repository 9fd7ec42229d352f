import type { Command } from 'commander';
import type { WorkloadSize } from '@virtlab/strategy';
import { runCell } from '../bench/cell.js';
import { createLab } from '../lab.js';
import { addLabFlags, labOptionsOf, parseCount, parseSize, type LabFlags } from './options.js';
import { compact, markOf, ms } from '../report/format.js';

export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description("run one workload under one strategy or engine: the guest's output, then a summary")
    .argument('<strategy>', 'a strategy or engine name (see `virtlab list`)')
    .argument('<workload>', 'a workload name (see `virtlab list`)')
    .option('--size <size>', 'test or bench', parseSize, 'test')
    .option('--max-instructions <n>', 'stop a guest after this many instructions', parseCount);
  addLabFlags(command, 'what runs a lab-view strategy: interp (default) or dbt; lab cycles and counters do not change')
    .action(async (strategyName: string, workloadName: string, opts: LabFlags & { size: WorkloadSize; maxInstructions?: number }) => {
      const lab = await createLab(labOptionsOf(opts));
      const strategy = lab.registry.strategies.get(strategyName);
      const workload = lab.registry.workloads.get(workloadName);
      const why = lab.unavailable.get(strategy.name);
      if (why !== undefined) throw new Error(`${strategy.name} is unavailable here: ${why}`);
      // Run directly (not through the bench cell) so the guest's own output is shown as it printed it.
      const report = await strategy.run(workload, {
        size: opts.size,
        ...(opts.maxInstructions === undefined ? {} : { maxInstructions: opts.maxInstructions }),
      });
      process.stdout.write(report.output);
      const record = await runCell(
        { ...strategy, run: () => Promise.resolve(report) },
        workload,
        { size: opts.size, repeats: 1 },
      );
      const lines = [
        '',
        `── ${strategy.name} × ${workload.name} (${opts.size})`,
        `exit status   ${report.exitCode} (${report.stop})`,
        `equivalent    ${markOf(record)}${record.difference === undefined ? '' : ` ${record.difference}`}`,
      ];
      if (report.labCycles !== undefined) lines.push(`lab cycles    ${report.labCycles} (${compact(report.labCycles)})`);
      if (report.hostMs !== undefined) lines.push(`host time     ${ms(report.hostMs)}`);
      if (report.instructions !== undefined) lines.push(`instructions  ${report.instructions}`);
      // A heading, then one aligned `name  value` line per entry.
      const section = (heading: string, entries: [string, number][]) => {
        if (entries.length === 0) return;
        lines.push(heading);
        const width = Math.max(...entries.map(([k]) => k.length));
        for (const [k, v] of entries) lines.push(`  ${k.padEnd(width)}  ${v}`);
      };
      section('items         lab cycles per operation', Object.entries(record.items ?? {}));
      if (record.status === 'failed' && record.error !== undefined) lines.push(`failed        ${record.error}`);
      section('counters', Object.entries(report.counters).filter(([, v]) => v !== 0));
      process.stdout.write(`${lines.join('\n')}\n`);
      if (!record.equivalent || record.status === 'failed') process.exitCode = 1;
    });
}

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { BenchResult } from '../bench/record.js';
import { printResult, writeOutputs } from './bench.js';

export function readBenchJson(file: string): BenchResult {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read bench results from ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const r = data as Partial<BenchResult> | null;
  if (r === null || typeof r !== 'object' || r.schema !== 'virtlab-bench/1' || !Array.isArray(r.records)) {
    throw new Error(`${file} is not a virtlab bench JSON file (schema 'virtlab-bench/1')`);
  }
  return r as BenchResult;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('turn a bench JSON file into tables, Markdown or an HTML report')
    .argument('<bench.json>', 'a file written by `virtlab bench --json`')
    .option('--html <file>', 'write a self-contained HTML report with charts')
    .option('--md <file>', 'write the tables as Markdown')
    .action((file: string, flags: { html?: string; md?: string }) => {
      const result = readBenchJson(file);
      if (flags.html === undefined && flags.md === undefined) printResult(result);
      writeOutputs(result, flags);
    });
}

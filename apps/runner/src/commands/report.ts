import { readJsonFile } from '@virtlab/lab-kit';
import type { Command } from 'commander';
import type { BenchResult } from '../bench/record.js';
import { benchResultFromJson } from '../bench/validate.js';
import { printResult, writeOutputs } from './bench.js';

/** A bench JSON file holds a few thousand records at most; anything far larger is refused unread. */
export const BENCH_FILE_MAX_BYTES = 64 * 1024 * 1024;

/** Reads and checks a bench JSON file; a bad one is a `BenchFileError` or `InputFileError` naming the file and the field, line or column. */
export function readBenchJson(file: string): BenchResult {
  return benchResultFromJson(readJsonFile(file, 'bench results', BENCH_FILE_MAX_BYTES), file);
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

export { createProgram } from './program.js';
export { runnerVersion } from './version.js';
export { BenchFileError, benchResultFromJson } from './bench/validate.js';
export type { BenchRecord, BenchResult } from './bench/record.js';
export { readBenchJson } from './commands/report.js';
export { chartSpecs } from './report/html.js';
export { renderMarkdown } from './report/markdown.js';
export { allTables, notes } from './report/tables.js';

// `virtlab report`'s input: a bench JSON file checked field by field against the documented record
// (bench/record.ts), refused with the path of the bad field, a line and column for bad JSON, and
// a size bound before anything is read.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputFileError } from '@virtlab/lab-kit';
import { readBenchJson } from '../commands/report.js';
import { renderMarkdown } from '../report/markdown.js';
import { sampleResult } from '../report/fixtures.js';
import { BenchFileError, benchResultFromJson } from './validate.js';

const dir = mkdtempSync(join(tmpdir(), 'virtlab-bench-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const committed = new URL('../../../../docs/results.json', import.meta.url);

describe('bench JSON input', () => {
  it('the committed results and the report fixture come through unchanged', () => {
    const parsed: unknown = JSON.parse(readFileSync(committed, 'utf8'));
    expect(benchResultFromJson(parsed, 'results.json')).toEqual(parsed);
    const sample = JSON.parse(JSON.stringify(sampleResult())) as unknown;
    expect(benchResultFromJson(sample, 'sample')).toEqual(sample);
  });

  it('a field of the wrong type is a BenchFileError naming its path', () => {
    const bad = (change: (r: Record<string, unknown>) => void) => {
      const r = JSON.parse(JSON.stringify(sampleResult())) as Record<string, unknown>;
      change(r);
      return () => benchResultFromJson(r, 'x.json');
    };
    const rec = (r: Record<string, unknown>, i: number) => (r.records as Record<string, unknown>[])[i] as Record<string, unknown>;
    expect(bad((r) => (rec(r, 1).labCycles = '12'))).toThrow(new BenchFileError('x.json: records[1].labCycles must be a finite number, got the string "12"'));
    expect(bad((r) => (rec(r, 0).counters = { a: 1, b: null }))).toThrow(new BenchFileError('x.json: records[0].counters["b"] must be a finite number, got null'));
    expect(bad((r) => (rec(r, 0).directShare = 1.5))).toThrow(new BenchFileError('x.json: records[0].directShare must be a number between 0 and 1, got number'));
    expect(bad((r) => (rec(r, 0).view = 'cloud'))).toThrow(/records\[0\]\.view must be one of lab, host, got the string "cloud"/);
    expect(bad((r) => delete rec(r, 0).strategy)).toThrow(/records\[0\]\.strategy must be a string \(a lab-view record names its strategy\), got undefined/);
    expect(bad((r) => ((r.records as unknown[])[2] = 7))).toThrow(new BenchFileError('x.json: records[2] must be an object, got number'));
    expect(bad((r) => (r.machine = []))).toThrow(/x\.json: machine must be an object, got an array/);
    expect(bad((r) => (r.sizes = ['test', 'huge']))).toThrow(/sizes\[1\] must be one of test, bench, got the string "huge"/);
    expect(bad((r) => (r.schema = 'virtlab-bench/2'))).toThrow(/x\.json is not a virtlab bench JSON file \(schema 'virtlab-bench\/1'; its schema is the string "virtlab-bench\/2"\)/);
    expect(() => benchResultFromJson([], 'x.json')).toThrow(/a bench result is a JSON object, got an array/);
  });

  it('fields the record does not have are dropped, so nothing of any depth goes further', () => {
    const r = JSON.parse(JSON.stringify(sampleResult())) as Record<string, unknown>;
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    r.extra = deep;
    ((r.records as Record<string, unknown>[])[0] as Record<string, unknown>).extra = deep;
    const result = benchResultFromJson(r, 'x.json');
    expect('extra' in result).toBe(false);
    expect('extra' in (result.records[0] as object)).toBe(false);
    expect(renderMarkdown(result)).toContain('crc32');
  });

  it('files: bad JSON names line and column, non-files and oversized files are refused unread', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{\n  "schema": "virtlab-bench/1",\n  "records": [1,, 2]\n}\n');
    expect(() => readBenchJson(file)).toThrow(InputFileError);
    expect(() => readBenchJson(file)).toThrow(/broken\.json' is not JSON at line 3, column 17/);
    expect(() => readBenchJson(dir)).toThrow(/bench results '.*' is a directory, not a regular file/);
    expect(() => readBenchJson('/dev/zero')).toThrow(/is a character device, not a regular file/);
    const latin1 = join(dir, 'latin1.json');
    writeFileSync(latin1, Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]));
    expect(() => readBenchJson(latin1)).toThrow(/latin1\.json' is not UTF-8 text/);
    const truncated = join(dir, 'truncated.json');
    writeFileSync(truncated, '{"schema": "virtlab-bench/1",\n"records": [');
    expect(() => readBenchJson(truncated)).toThrow(/is not JSON at line 2, column 13/);
  });
});

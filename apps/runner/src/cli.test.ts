import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OSBENCH_ITEMS, osWorkloads, workloads } from '@virtlab/guest';
import { describe, expect, it } from 'vitest';
import type { BenchResult } from './bench/record.js';
import { runnerVersion } from './version.js';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');

/**
 * Spawns the CLI from source the way `pnpm virtlab` does. Asynchronous, so the test worker keeps
 * answering vitest while a long bench runs.
 */
function virtlab(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return virtlabWithInput(undefined, ...args);
}

function virtlabWithInput(input: string | undefined, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@virtlab/source', '--import', tsx, cli, ...args], {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: 240_000,
    });
    if (input !== undefined) child.stdin!.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('virtlab CLI', () => {
  it('takes a cost-model preset and an ISA profile; vtx-2006 leaves native, which charges no event, unchanged', async () => {
    const labCycles = (stdout: string) => /lab cycles {4}(\d+)/.exec(stdout)?.[1];
    const [plain, vtx, legacy] = await Promise.all([
      virtlab('run', 'native', 'nqueens'),
      virtlab('run', 'native', 'nqueens', '--cost-model', 'vtx-2006'),
      virtlab('run', 'bare', 'nqueens', '--profile', 'legacy'),
    ]);
    expect(plain.status).toBe(0);
    expect(labCycles(plain.stdout)).toMatch(/^\d+$/);
    expect(vtx.status).toBe(0);
    expect(labCycles(vtx.stdout)).toBe(labCycles(plain.stdout));
    expect(legacy.status).toBe(0);
  });

  it('refuses a bad cost-model file naming the key, and an unknown profile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'virtlab-cli-cost-'));
    const file = join(dir, 'typo.json');
    writeFileSync(file, JSON.stringify({ trapEntry: 30, instructon: { div: 3 } }));
    const bad = await virtlab('bench', '--strategies', 'native', '--workloads', 'sieve', '--cost-model', file);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain(`cost model file '${file}': unknown key 'instructon'`);
    const profile = await virtlab('run', 'native', 'sieve', '--profile', 'x86');
    expect(profile.status).not.toBe(0);
    expect(profile.stderr).toContain("unknown ISA profile 'x86'; known: rv32ima, legacy");
  });

  it('prints its version', async () => {
    const r = await virtlab('--version');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(runnerVersion());
    expect(runnerVersion()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('prints help that names the program and its commands', async () => {
    const r = await virtlab('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: virtlab');
    for (const command of ['list', 'run', 'bench', 'report']) expect(r.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('rejects an unknown command with a non-zero status', async () => {
    const r = await virtlab('no-such-command');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("unknown command 'no-such-command'");
  });

  it('list names every strategy, engine and workload', async () => {
    const r = await virtlab('list');
    expect(r.status).toBe(0);
    for (const name of ['native', 'bare', 'host-native', 'v8-wasm', 'lang-vm', 'cpu-core', 'emulator', 'qemu']) {
      expect(r.stdout).toMatch(new RegExp(`^${name} `, 'm'));
    }
    for (const w of [...workloads, ...osWorkloads]) expect(r.stdout).toMatch(new RegExp(`^${w.name} `, 'm'));
  });

  it('run prints the guest output, then a summary', async () => {
    const crc32 = workloads.find((w) => w.name === 'crc32')!;
    const r = await virtlab('run', 'bare', 'crc32', '--size', 'test');
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith(crc32.reference.test!)).toBe(true);
    expect(r.stdout).toContain('exit status   0 (exit)');
    expect(r.stdout).toContain('equivalent    ✓');
    expect(r.stdout).toMatch(/lab cycles {4}\d+/);
  });

  it('run of osbench lists its items in lab cycles per operation', async () => {
    const r = await virtlab('run', 'native', 'osbench');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('equivalent    ✓');
    expect(r.stdout).toContain('items         lab cycles per operation\n  null_syscall          ');
    expect(r.stdout).toMatch(/^ {2}block_read_4k {9}\d+(\.\d)?$/m);
  }, 60_000);

  it('refuses a --max-instructions that is not a non-negative integer, naming the flag', async () => {
    for (const bad of ['abc', '-1', '1.5', '']) {
      const r = await virtlab('run', 'bare', 'crc32', '--max-instructions', bad);
      expect(r.status, bad).not.toBe(0);
      expect(r.stderr).toContain(`--max-instructions wants a non-negative integer, got '${bad}'`);
    }
  });

  it('unknown names get an error that lists what exists', async () => {
    const r = await virtlab('run', 'vmm-ful', 'crc32');
    expect(r.status).not.toBe(0);
    const known = /unknown strategy 'vmm-ful'; known: (.*)/.exec(r.stderr)?.[1]?.split(', ');
    for (const name of ['native', 'bare', 'vmm-full/trap-emulate', 'vmm-full/binary-translation', 'vmm-para', 'os-containers/jail', 'os-containers/zone', 'host-native']) expect(known).toContain(name);
    const w = await virtlab('run', 'bare', 'crc33');
    expect(w.stderr).toContain("unknown workload 'crc33'; known: crc32");
    const s = await virtlab('run', 'bare', 'crc32', '--size', 'huge');
    expect(s.status).not.toBe(0);
    expect(s.stderr).toContain("unknown size 'huge'; known: test, bench");
  });

  it('boot runs the guest shell on the board with this process as its console and exits with its status', async () => {
    const r = await virtlabWithInput('echo hello-from-shell\nls /bin\nexit 3\n', 'boot');
    expect(r.stdout).toContain('hello-from-shell');
    for (const w of workloads) expect(r.stdout).toMatch(new RegExp(`^${w.name}\\r?$`, 'm'));
    expect(r.stderr).toContain('[virtlab boot] guest powered off through the finisher with exit code 3');
    expect(r.status).toBe(3);
  });

  it('boot --until stops at the shell prompt, and --timing reports the same steps and lab cycles under both engines', async () => {
    const timing = async (engine: string) => {
      const r = await virtlab('boot', '--engine', engine, '--until', '$ ', '--timing');
      expect(r.status).toBe(0);
      expect(r.stdout.endsWith('$ ')).toBe(true);
      expect(r.stderr).toContain('[virtlab boot] console output reached "$ " after');
      const line = r.stderr.split('\n').find((l) => l.startsWith('[virtlab boot] timing: '))!;
      return JSON.parse(line.slice('[virtlab boot] timing: '.length)) as { engine: string; readyMs: number; guestMs: number; instructions: number; labCycles: number };
    };
    const [a, b] = [await timing('interp'), await timing('dbt')];
    expect([a.engine, b.engine]).toEqual(['interp', 'dbt']);
    expect(a.instructions).toBeGreaterThan(100_000);
    expect(a.readyMs).toBeGreaterThan(0);
    expect(a.guestMs).toBeGreaterThan(0);
    expect([b.instructions, b.labCycles]).toEqual([a.instructions, a.labCycles]);
  });

  it('boot with init= runs one program and powers off with its status', async () => {
    const r = await virtlab('boot', '--append', 'init=/bin/nqueens,test');
    const nqueens = workloads.find((w) => w.name === 'nqueens')!;
    expect(r.stdout).toContain(nqueens.reference.test!.split('\n')[0]);
    expect(r.status).toBe(0);
  });

  it('bench writes sane JSON, Markdown and HTML for both views', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'virtlab-bench-'));
    const json = join(dir, 'bench.json');
    const md = join(dir, 'bench.md');
    const r = await virtlab(
      'bench',
      '--strategies', 'native,bare,v8-wasm,lang-vm,cpu-core',
      '--workloads', 'crc32,nqueens',
      '--size', 'test',
      '--repeats', '2',
      '--json', json,
      '--md', md,
    );
    expect(r.stderr).toContain('[10/10]');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Lab view — lab cycles and ratio to native');
    expect(r.stdout).toContain('Host view — median wall-clock time');
    const result = JSON.parse(readFileSync(json, 'utf8')) as BenchResult;
    expect(result.schema).toBe('virtlab-bench/1');
    expect(result.records).toHaveLength(10);
    for (const rec of result.records) {
      expect(rec.equivalent, `${rec.strategy ?? rec.engine} × ${rec.workload}: ${rec.error ?? rec.difference ?? ''}`).toBe(true);
      expect(rec.size).toBe('test');
      if (rec.view === 'lab') {
        expect(Object.keys(rec.counters).length).toBeGreaterThan(0);
        expect(rec.labCycles).toBeGreaterThan(rec.instructions!);
        expect(rec.counters.instret).toBe(rec.instructions);
      } else {
        expect(rec.hostMs).toBeGreaterThan(0);
        expect(rec.hostRunsMs).toHaveLength(2);
      }
    }
    const lab = (s: string, w: string) => result.records.find((x) => x.strategy === s && x.workload === w)!;
    // The kernel adds work around the same program: native costs more than bare, never less.
    expect(lab('native', 'crc32').labCycles! / lab('bare', 'crc32').labCycles!).toBeGreaterThan(1);
    const cpu = result.records.find((x) => x.engine === 'cpu-core' && x.workload === 'crc32')!;
    expect(cpu.mips).toBeGreaterThan(0);
    expect(cpu.instructions).toBe(lab('bare', 'crc32').instructions);
    expect(readFileSync(md, 'utf8')).toContain('| geomean |');
    const report = await virtlab('report', json, '--html', join(dir, 'bench.html'));
    expect(report.status).toBe(0);
    expect(readFileSync(join(dir, 'bench.html'), 'utf8')).toContain('<canvas id="chart-lab"');
  }, 240_000);

  it('bench prints the OS table after the compute tables and writes osbench items to the JSON and Markdown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'virtlab-bench-os-'));
    const json = join(dir, 'bench.json');
    const md = join(dir, 'bench.md');
    const r = await virtlab('bench', '--strategies', 'native,bare,cpu-core', '--skip', 'cpu-core', '--workloads', 'crc32,osbench', '--size', 'test', '--json', json, '--md', md);
    // bare has no guest kernel: no osbench cell, three in all; cpu-core left out by --skip.
    expect(r.stderr).toContain('[3/3]');
    expect(r.status).toBe(0);
    const compute = r.stdout.indexOf('Lab view — lab cycles');
    const os = r.stdout.indexOf('OS table — osbench: lab cycles per operation and ratio to native');
    expect(compute).toBeGreaterThanOrEqual(0);
    expect(os).toBeGreaterThan(compute);
    // The compute table has no osbench row; the OS table a row per item, native only.
    expect(r.stdout.slice(compute, os)).not.toContain('osbench');
    expect(r.stdout.slice(os)).toMatch(/^item +native\n/m);
    expect(r.stdout.slice(os)).toMatch(/^null_syscall \(test\) +✓ \d+(\.\d+)? ×1\.00$/m);
    const result = JSON.parse(readFileSync(json, 'utf8')) as BenchResult;
    expect(result.skipped).toContainEqual({ name: 'cpu-core', reason: 'left out by --skip' });
    expect(result.records.some((x) => x.engine === 'cpu-core')).toBe(false);
    const record = result.records.find((x) => x.workload === 'osbench')!;
    expect(record).toMatchObject({ strategy: 'native', status: 'ok', equivalent: true });
    expect(Object.keys(record.items!)).toEqual([...OSBENCH_ITEMS]);
    for (const item of OSBENCH_ITEMS) expect(record.items![item]).toBeGreaterThan(100);
    expect(result.records.find((x) => x.workload === 'crc32')?.items).toBeUndefined();
    expect(readFileSync(md, 'utf8')).toContain('### OS table — osbench');
    expect(readFileSync(md, 'utf8')).toMatch(/^\| block_read_4k \(test\) \| ✓ \S+ ×1\.00 \|$/m);
  }, 120_000);
});

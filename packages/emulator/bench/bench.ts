/**
 * Throughput of the translator against the interpreter and QEMU (TCG) on the rv32-bare compute
 * images, in one run: `pnpm --filter @virtlab/emulator bench [--size test|bench] [--only a,b]
 * [--engines qemu,interp,dbt] [--max-blocks N]`.
 *
 * MIPS = guest instructions retired / seconds of the whole run (QEMU's includes its start-up, as
 * in QEMU-NOTES.md; ours includes translation). The instruction count is the lab engines' (the same
 * image retires the same instructions on QEMU). Seconds are CPU seconds (user + system) of the
 * process running the guest — on a shared, loaded machine wall time mostly measures waiting for a
 * core; `--wall` uses wall-clock time instead. QEMU's CPU time comes from /usr/bin/time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workloads } from '@virtlab/guest';
import { imageFor, stripMetricLines } from '@virtlab/strategy';
import type { WorkloadSize } from '@virtlab/strategy';
import { createEmulator } from '../src/index.js';
import type { EngineKind } from '../src/index.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const size = (opt('size') ?? 'bench') as WorkloadSize;
const only = opt('only')?.split(',');
const engines = (opt('engines') ?? 'qemu,interp,dbt').split(',');
const maxBlocks = opt('max-blocks') === undefined ? undefined : Number(opt('max-blocks'));
const wall = args.includes('--wall');
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

function hasQemu(): boolean {
  try {
    execFileSync('which', ['qemu-system-riscv32'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Row {
  name: string;
  instructions: number;
  mips: Record<string, number>;
  /** The translator's MIPS over the first WARMUP instructions of a fresh emulator. */
  warm: number | undefined;
  peakBlocks: number;
  peakSourceBytes: number;
  maxBlocks: number;
}

/** Runs the image to power-off (checking the output), or for `budget` instructions only (the warm-up figure). */
function runEngine(kind: EngineKind, path: string, reference: string, budget?: number): { ms: number; instructions: number; peakBlocks: number; peakSourceBytes: number; maxBlocks: number } {
  const emu = createEmulator({ engine: kind, boardOptions: { ramSize: 64 * 1024 * 1024 }, engineOptions: maxBlocks === undefined ? {} : { maxBlocks } });
  emu.loadBareElf(readFileSync(path));
  const t0 = performance.now();
  const u0 = process.cpuUsage();
  const r = emu.run({ maxInstructions: budget ?? 20_000_000_000, sliceSteps: 1 << 22 });
  const ms = wall ? performance.now() - t0 : cpuMs(process.cpuUsage(u0));
  const out = stripMetricLines(new TextDecoder().decode(r.output));
  if (budget === undefined && (r.exit.kind !== 'poweroff' || out !== stripMetricLines(reference))) {
    throw new Error(`${kind} on ${path}: ${JSON.stringify(r.exit)}, output differs from the reference`);
  }
  const ec = emu.engine.engineCounters();
  return { ms, instructions: r.instructions, peakBlocks: ec['dbt.peak_blocks'] ?? 0, peakSourceBytes: ec['dbt.peak_source_bytes'] ?? 0, maxBlocks: ec['dbt.max_blocks'] ?? 0 };
}

function runQemu(path: string, reference: string): number {
  const t0 = performance.now();
  const timing = join(tmpdir(), `virtlab-emulator-bench-${process.pid}.txt`);
  const qemuArgs = ['-M', 'virt', '-bios', 'none', '-kernel', path, '-display', 'none', '-serial', 'stdio', '-monitor', 'none'];
  const p = spawnSync('/usr/bin/time', ['-o', timing, '-f', '%U %S', 'qemu-system-riscv32', ...qemuArgs], { encoding: 'latin1', timeout: 600_000 });
  const [user, sys] = readFileSync(timing, 'latin1').trim().split(/\s+/).slice(-2).map(Number);
  const ms = wall ? performance.now() - t0 : (user! + sys!) * 1000;
  if (stripMetricLines(p.stdout) !== stripMetricLines(reference)) throw new Error(`qemu on ${path}: output differs from the reference`);
  return ms;
}

const qemu = engines.includes('qemu') && hasQemu();
if (engines.includes('qemu') && !qemu) console.warn('qemu-system-riscv32 not installed: QEMU column left out');
const rows: Row[] = [];
/** Instructions of the warm-up figure (what the first second of a run feels like). */
const WARMUP = 100_000_000;
for (const w of workloads) {
  if (only !== undefined && !only.includes(w.name)) continue;
  const image = imageFor(w, 'rv32-bare', size);
  const reference = w.reference[size];
  if (image === undefined || reference === undefined) continue;
  const row: Row = { name: w.name, instructions: 0, mips: {}, warm: undefined, peakBlocks: 0, peakSourceBytes: 0, maxBlocks: 0 };
  for (const kind of ['interp', 'dbt'] as const) {
    if (!engines.includes(kind)) continue;
    const r = runEngine(kind, image.path, reference);
    row.instructions = r.instructions;
    row.mips[kind] = r.instructions / r.ms / 1000;
    if (kind === 'dbt') {
      Object.assign(row, { peakBlocks: r.peakBlocks, peakSourceBytes: r.peakSourceBytes, maxBlocks: r.maxBlocks });
      const warm = runEngine(kind, image.path, reference, WARMUP);
      row.warm = warm.instructions / warm.ms / 1000;
    }
  }
  if (qemu && row.instructions > 0) row.mips.qemu = row.instructions / runQemu(image.path, reference) / 1000;
  rows.push(row);
  const cols = Object.entries(row.mips).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ');
  console.error(`${w.name}: ${(row.instructions / 1e6).toFixed(0)} M instructions; MIPS ${cols}; peak ${row.peakBlocks} blocks`);
}

const cols = ['dbt', 'interp', 'qemu'].filter((c) => rows.some((r) => r.mips[c] !== undefined));
const geo = (c: string) => Math.exp(rows.reduce((s, r) => s + Math.log(r.mips[c]!), 0) / rows.length);
console.log(`\n${wall ? 'wall-clock' : 'CPU-time'} MIPS\n\n| workload (${size}) | M instr | ${cols.map((c) => `${c} MIPS`).join(' | ')} | dbt/interp | dbt/qemu | dbt MIPS, first 10^8 | peak blocks (bound) | peak code (JS source + wasm) |`);
console.log(`|---|---:|${cols.map(() => '---:').join('|')}|---:|---:|---:|---:|---:|`);
for (const r of rows) {
  const ratio = (a: string, b: string) => (r.mips[a] !== undefined && r.mips[b] !== undefined ? `${(r.mips[a] / r.mips[b]).toFixed(2)}×` : '–');
  console.log(`| ${r.name} | ${(r.instructions / 1e6).toFixed(0)} | ${cols.map((c) => r.mips[c]?.toFixed(0) ?? '–').join(' | ')} | ${ratio('dbt', 'interp')} | ${ratio('dbt', 'qemu')} | ${r.warm?.toFixed(0) ?? '–'} | ${r.peakBlocks} (${r.maxBlocks}) | ${(r.peakSourceBytes / 1024).toFixed(0)} KiB |`);
}
const g = Object.fromEntries(cols.map((c) => [c, geo(c)]));
const gr = (a: string, b: string) => (g[a] !== undefined && g[b] !== undefined ? `${(g[a] / g[b]).toFixed(2)}×` : '–');
console.log(`| **geomean** | | ${cols.map((c) => `**${g[c]!.toFixed(0)}**`).join(' | ')} | **${gr('dbt', 'interp')}** | **${gr('dbt', 'qemu')}** | | | |`);

/**
 * Interpreter MIPS on long-running compute images, paging off and Sv32 on, beside QEMU's MIPS on
 * the same images in the same run. Instruction counts come from our run (QEMU does not count);
 * QEMU's start-up, timed on
 * an image that does no work, is subtracted. CPU time is shown too: on a shared machine it is the fairer
 * figure for a single-threaded interpreter. QEMU's figures are the best of three runs (and so is its
 * start-up); the images run long enough (1.5 G instructions) that its start-up is small beside them.
 *
 *   pnpm --filter @virtlab/cpu-core bench            (images: bench/images, rebuilt by bench/build.sh)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadElf } from '@virtlab/hw-model';
import { Hart, MiniPlatform } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const IMAGES = [
  { name: 'compute, paging off', file: 'compute-bare.elf' },
  { name: 'compute, Sv32 on (S-mode)', file: 'compute-sv32.elf' },
];

function hasQemu(): boolean {
  return spawnSync('which', ['qemu-system-riscv32']).status === 0;
}

function runOurs(path: string): { instructions: number; wall: number; cpu: number; output: string; stop: string } {
  const platform = new MiniPlatform({ ramSize: 16 << 20 });
  const image = loadElf(platform.bus, readFileSync(path));
  const hart = new Hart(platform);
  hart.pc = image.entry | 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = hart.run(2 ** 40);
  const wall = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(c0);
  return { instructions: r.instructions, wall, cpu: (cu.user + cu.system) / 1e6, output: platform.output(), stop: r.stop.kind };
}

/** QEMU's wall time, and its CPU time (user + system, all threads) through /usr/bin/time when present. */
function runQemu(path: string): { wall: number; cpu: number; output: string } {
  const args = ['-M', 'virt', '-bios', 'none', '-nographic', '-kernel', path];
  const timed = spawnSync('/usr/bin/time', ['-f', '@cpu %U %S', 'qemu-system-riscv32', ...args], { timeout: 120_000 });
  const t0 = performance.now();
  const out = execFileSync('qemu-system-riscv32', args, { timeout: 120_000 });
  const wall = (performance.now() - t0) / 1000;
  const m = /@cpu ([\d.]+) ([\d.]+)/.exec(timed.stderr?.toString() ?? '');
  return { wall, cpu: m === null ? NaN : Number(m[1]) + Number(m[2]), output: out.toString('latin1') };
}

const qemu = hasQemu();
// QEMU's start-up (the same program doing no work), best of three, subtracted from its times.
const startupRuns = qemu ? [0, 1, 2].map(() => runQemu(join(here, 'images', 'startup.elf'))) : [];
const startup = qemu ? Math.min(...startupRuns.map((r) => r.wall)) : 0;
const startupCpu = qemu ? Math.min(...startupRuns.map((r) => r.cpu)) : 0;
const rows: string[][] = [['image', 'instructions', 'ours MIPS wall', 'ours MIPS cpu', 'QEMU MIPS wall', 'QEMU MIPS cpu', 'QEMU/ours wall', 'QEMU/ours cpu', 'output']];
for (const img of IMAGES) {
  const path = join(here, 'images', img.file);
  const ours = runOurs(path);
  const mipsWall = ours.instructions / ours.wall / 1e6;
  const mipsCpu = ours.instructions / ours.cpu / 1e6;
  let q = { mips: NaN, mipsCpu: NaN, same: 'no QEMU' };
  if (qemu) {
    const runs = [runQemu(path), runQemu(path), runQemu(path)];
    const r = { wall: Math.min(...runs.map((x) => x.wall)), cpu: Math.min(...runs.map((x) => x.cpu)), output: runs[0]!.output };
    q = {
      mips: ours.instructions / Math.max(r.wall - startup, 1e-3) / 1e6,
      mipsCpu: ours.instructions / Math.max(r.cpu - startupCpu, 1e-3) / 1e6, same: r.output.replace(/\r/g, '') === ours.output ? 'same as QEMU' : `DIFFERS: ${JSON.stringify(r.output)}` };
  }
  rows.push([
    img.name,
    `${(ours.instructions / 1e6).toFixed(1)} M`,
    mipsWall.toFixed(0),
    mipsCpu.toFixed(0),
    Number.isNaN(q.mips) ? '-' : q.mips.toFixed(0),
    Number.isNaN(q.mipsCpu) ? '-' : q.mipsCpu.toFixed(0),
    Number.isNaN(q.mips) ? '-' : `${(q.mips / mipsWall).toFixed(1)}x`,
    Number.isNaN(q.mipsCpu) ? '-' : `${(q.mipsCpu / mipsCpu).toFixed(1)}x`,
    `${ours.stop}; ${q.same}`,
  ]);
}
const widths = rows[0]!.map((_, k) => Math.max(...rows.map((r) => r[k]!.length)));
for (const r of rows) console.log(r.map((c, k) => c.padEnd(widths[k]!)).join('  '));
console.log(`\nQEMU start-up ${(startup * 1000).toFixed(0)} ms wall, ${(startupCpu * 1000).toFixed(0)} ms cpu (subtracted); node ${process.version}, load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);

/**
 * Interpreter MIPS on long-running compute images, paging off and Sv32 on, beside QEMU's MIPS on
 * the same images in the same run. Instruction counts come from our run (QEMU does not count);
 * QEMU's start-up, timed on
 * an image that does no work, is subtracted. CPU time is shown too: on a shared machine it is the fairer
 * figure for a single-threaded interpreter.
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

function runQemu(path: string): { wall: number; output: string } {
  const t0 = performance.now();
  const out = execFileSync('qemu-system-riscv32', ['-M', 'virt', '-bios', 'none', '-nographic', '-kernel', path], { timeout: 120_000 });
  return { wall: (performance.now() - t0) / 1000, output: out.toString('latin1') };
}

const qemu = hasQemu();
// QEMU's start-up (the same program doing no work), best of three, subtracted from its times.
const startup = qemu ? Math.min(...[0, 1, 2].map(() => runQemu(join(here, 'images', 'startup.elf')).wall)) : 0;
const rows: string[][] = [['image', 'instructions', 'ours MIPS (wall)', 'ours MIPS (cpu)', 'QEMU MIPS (wall, start-up subtracted)', 'QEMU / ours (wall)', 'output']];
for (const img of IMAGES) {
  const path = join(here, 'images', img.file);
  const ours = runOurs(path);
  const mipsWall = ours.instructions / ours.wall / 1e6;
  const mipsCpu = ours.instructions / ours.cpu / 1e6;
  let q = { mips: NaN, same: 'no QEMU' };
  if (qemu) {
    const r = runQemu(path);
    q = { mips: ours.instructions / Math.max(r.wall - startup, 1e-3) / 1e6, same: r.output.replace(/\r/g, '') === ours.output ? 'same as QEMU' : `DIFFERS: ${JSON.stringify(r.output)}` };
  }
  rows.push([
    img.name,
    `${(ours.instructions / 1e6).toFixed(1)} M`,
    mipsWall.toFixed(0),
    mipsCpu.toFixed(0),
    Number.isNaN(q.mips) ? '-' : q.mips.toFixed(0),
    Number.isNaN(q.mips) ? '-' : `${(q.mips / mipsWall).toFixed(1)}x`,
    `${ours.stop}; ${q.same}`,
  ]);
}
const widths = rows[0]!.map((_, k) => Math.max(...rows.map((r) => r[k]!.length)));
for (const r of rows) console.log(r.map((c, k) => c.padEnd(widths[k]!)).join('  '));
console.log(`\nQEMU start-up ${(startup * 1000).toFixed(0)} ms (subtracted); node ${process.version}, load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);

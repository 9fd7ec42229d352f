/**
 * Builds the differential test programs (test-programs/src/*.c, *.S) into committed ELF images
 * with clang and ld.lld, and writes a manifest of input hashes so a test can tell when sources
 * and images disagree; then records what QEMU prints for each differential program, as the
 * reference for machines without QEMU. Run: pnpm --filter @virtlab/hw-model test-programs
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROGRAMS, compiledSources, qemuOutputPath, runOnQemu, runtimeOf, sourceHash, sourcePath } from './programs.js';

const here = dirname(fileURLToPath(import.meta.url));
const images = join(here, 'images');

// QEMU-NOTES.md: flags that work with Debian clang 14 + lld for the virt board.
const FLAGS = [
  '--target=riscv32-unknown-elf',
  '-march=rv32ima',
  '-mabi=ilp32',
  '-mno-relax',
  '-mcmodel=medany',
  '-nostdlib',
  '-ffreestanding',
  '-fno-builtin',
  '-fuse-ld=lld',
  '-O2',
  '-g0',
  '-Wall',
  '-Werror',
];

const clangVersion = execFileSync('clang', ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? 'unknown';
const manifest: Record<string, { source: string; sha256: string; image: string }> = {};
for (const program of PROGRAMS) {
  const out = join(images, `${program.name}.elf`);
  const inputs = compiledSources(program).map(sourcePath);
  execFileSync('clang', [...FLAGS, '-T', sourcePath(runtimeOf(program).linkScript), '-o', out, ...inputs], { stdio: 'inherit' });
  manifest[program.name] = {
    source: program.source,
    sha256: sourceHash(program),
    image: createHash('sha256').update(readFileSync(out)).digest('hex'),
  };
  console.log(`built ${program.name}.elf`);
}
writeFileSync(join(images, 'manifest.json'), `${JSON.stringify({ toolchain: clangVersion, programs: manifest }, null, 2)}\n`);
const stale = readdirSync(images).filter((f) => f.endsWith('.elf') && !PROGRAMS.some((p) => `${p.name}.elf` === f));
if (stale.length > 0) console.log(`images without a source (delete them): ${stale.join(', ')}`);

const scratch = mkdtempSync(join(tmpdir(), 'virtlab-test-programs-'));
for (const program of PROGRAMS.filter((p) => p.differential)) {
  const r = await runOnQemu(program, scratch);
  if (r.status !== program.exitCode) throw new Error(`${program.name}: QEMU exited with ${r.status}, expected ${program.exitCode}`);
  writeFileSync(qemuOutputPath(program.name), Buffer.from(r.output, 'latin1'));
  console.log(`recorded QEMU output of ${program.name} (${r.output.length} bytes, exit ${r.status})`);
}
rmSync(scratch, { recursive: true, force: true });

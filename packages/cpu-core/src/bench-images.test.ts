// The committed benchmark images: built from the committed sources, and run the same on this
// hart as on QEMU (the no-work image, quick enough for a test).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadElf } from '@virtlab/hw-model';
import { describe, expect, it } from 'vitest';
import { Hart } from './hart.js';
import { MiniPlatform } from './mini-platform.js';

const bench = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench');
const hasQemu = spawnSync('which', ['qemu-system-riscv32']).status === 0;

describe('benchmark images', () => {
  it('were built from the sources in bench/src (rebuild: bench/build.sh)', () => {
    for (const line of readFileSync(join(bench, 'images', 'SOURCES.sha256'), 'utf8').trim().split('\n')) {
      const [hash, file] = line.split(/\s+/);
      expect(createHash('sha256').update(readFileSync(join(bench, file!))).digest('hex'), file).toBe(hash);
    }
  });

  it.skipIf(!hasQemu)('print what QEMU prints (needs qemu-system-riscv32)', () => {
    const path = join(bench, 'images', 'startup.elf');
    const platform = new MiniPlatform({ ramSize: 1 << 20 });
    const image = loadElf(platform.bus, readFileSync(path));
    const hart = new Hart(platform);
    hart.pc = image.entry | 0;
    expect(hart.run(1_000_000).stop.kind).toBe('halted');
    const qemu = execFileSync('qemu-system-riscv32', ['-M', 'virt', '-bios', 'none', '-nographic', '-kernel', path], { timeout: 30_000 });
    expect(platform.output()).toBe(qemu.toString('latin1'));
    expect(platform.output()).toMatch(/^compute checksum [0-9a-f]{8}\n$/);
  });
});

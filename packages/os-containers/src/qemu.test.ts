import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { osWorkloads } from '@virtlab/guest';
import { GUEST_KERNEL, resolveCostModel } from '@virtlab/lab-kit';
import { describe, expect, it } from 'vitest';
import { ZONED_BOOTARGS, jailInitrd } from './boot.js';
import { parseJailConf } from './jail-conf.js';
import { programFiles, runJailSet } from './run.js';

// The jails are the guest kernel's, so a real peer must agree: the same initrd (committed archive
// + this package's) booted on QEMU's virt machine gives the battery's transcript line for line.
const qemu = (() => {
  try {
    execFileSync('qemu-system-riscv32', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const conf = `
attacker {
  path = /jails/attacker;
  host.hostname = attacker.lab;
  children.max = 1;
  rctl.maxproc = 6;
  rctl.memoryuse = 1M;
  rctl.openfiles = 12;
  exec.start = "/bin/jattack sleep all";
}
neighbour {
  path = /jails/neighbour;
  exec.start = "/bin/jattack cpuhog";
  exec.daemon;
}
`;

const attackLines = (output: string) => output.split('\n').filter((line) => line.startsWith('attack ')).map((line) => line.replace(/\r$/, ''));

describe.skipIf(!qemu)('the battery on QEMU (skipped: qemu-system-riscv32 is not installed)', () => {
  it('gives the lab board\'s transcript', { timeout: 120_000 }, async () => {
    const set = parseJailConf(conf);
    const programs = programFiles();
    const disk = osWorkloads[0]?.disk as string;
    const dir = mkdtempSync(join(tmpdir(), 'virtlab-jails-'));
    try {
      const initrd = join(dir, 'initrd.cpio');
      writeFileSync(initrd, await jailInitrd(new Uint8Array(readFileSync(GUEST_KERNEL.initrd)), set, programs));
      const args = ['-M', 'virt', '-m', '128M', '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-bios', GUEST_KERNEL.firmware];
      args.push('-kernel', GUEST_KERNEL.kernel, '-initrd', initrd, '-append', ZONED_BOOTARGS, '-global', 'virtio-mmio.force-legacy=false');
      args.push('-drive', `file=${disk},if=none,format=raw,id=disk0,readonly=on`, '-device', 'virtio-blk-device,drive=disk0');
      const { stdout } = await promisify(execFile)('qemu-system-riscv32', args, { timeout: 60_000 });
      const board = await runJailSet(set, programs, { cost: resolveCostModel('default'), disk, run: { maxInstructions: 400_000_000, engine: 'interp', profile: 'rv32ima' } });
      const lines = attackLines(stdout);
      expect(lines.length).toBeGreaterThan(15);
      // The memory hog's page count before the kill depends on when the pipe reader runs; the rest is exact.
      const exact = (l: string[]) => l.map((line) => line.replace(/after \d+ pages/, 'after N pages'));
      expect(exact(lines)).toEqual(exact(attackLines(board.output)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The escape guest on the reference machine: QEMU virt with 16 MiB of RAM and the project
// firmware prints the lines the privileged specification gives (ESCAPE_LINES), the same lines
// vmm-full's VM must give it.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ESCAPE_LINES, HOSTILE_RAM_SIZE, SSTATUS_LINES, hostileImage } from './hostile.js';
import { firmwareImage } from './paths.js';
import { runQemu } from './test-support/peers.js';

function has(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const hasQemu = has('qemu-system-riscv32');
if (!hasQemu) console.warn('skipping the hostile guest on QEMU: qemu-system-riscv32 is not installed');

describe.skipIf(!hasQemu)('hostile guests on QEMU', () => {
  it('gets the exceptions the privileged spec gives S-mode for each attack', async () => {
    const done = `${ESCAPE_LINES.join('\n')}\n`;
    const r = await runQemu(hostileImage('escape'), {
      bios: firmwareImage,
      extraArgs: ['-m', `${HOSTILE_RAM_SIZE >> 20}M`],
      // After its last line it faults on every fetch forever: stop there.
      stopWhen: (out) => out.replace(/\r\n/g, '\n').includes(done),
    });
    expect(r.output.replace(/\r\n/g, '\n')).toBe(done);
  });

  it('sstatus probe: SPP after an ebreak in S-mode, and a timer interrupt taken in S-mode', async () => {
    const r = await runQemu(hostileImage('sstatus'), { bios: firmwareImage, extraArgs: ['-m', `${HOSTILE_RAM_SIZE >> 20}M`] });
    expect(r.output.replace(/\r\n/g, '\n')).toBe(`${SSTATUS_LINES.join('\n')}\n`);
    expect(r.exitCode).toBe(0);
  });
});

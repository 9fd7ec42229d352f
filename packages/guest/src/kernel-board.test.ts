// Boots firmware + kernel + initrd on the lab board (hw-model + cpu-core) and checks the guest
// prints what it prints on QEMU: every compute workload (the catalog's reference, which QEMU
// matches in kernel-qemu.test.ts), osbench's counts and checksums, and the error paths. Where QEMU
// is installed, the board's output is also compared with a QEMU boot of the same images.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeDifference, firstDifference, stripMetricLines } from '@virtlab/strategy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diskImage } from '../disk/recipes.js';
import { workloads } from './catalog.js';
import { bootOnBoard, bootOnQemu, bootSkipReason, errtestMismatches, expectedFscheck } from './kernel-test-support.js';
import { expectedOsbench } from './osbench.js';
import { has } from './test-support/peers.js';

const hasQemu = has('qemu-system-riscv32');
const skipReason = bootSkipReason();
if (skipReason !== undefined) console.warn(`skipping the kernel boot tests on the lab board: ${skipReason}`);

function expectSameOutput(what: string, expected: string, actual: string): void {
  const difference = firstDifference(stripMetricLines(expected), stripMetricLines(actual));
  if (difference !== null) expect.fail(`${what}: ${describeDifference(difference)}`);
}

describe.skipIf(skipReason !== undefined)('guest kernel on the lab board', () => {
  let dir = '';
  let diskPath = '';
  const disk = diskImage();
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'virtlab-kernel-board-'));
    diskPath = join(dir, 'disk.img');
    await writeFile(diskPath, disk);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const workload of workloads) {
    it(`${workload.name} (test size) prints the catalog reference`, { timeout: 60_000 }, async () => {
      const result = await bootOnBoard(`init=/bin/${workload.name},test`, disk);
      expectSameOutput(workload.name, workload.reference.test ?? '', result.output);
      expect(result.exitCode).toBe(0);
    });
  }

  it('osbench prints the same counts and checksums as on QEMU', { timeout: 120_000 }, async () => {
    const board = await bootOnBoard('init=/bin/osbench', disk);
    expect(stripMetricLines(board.output)).toBe(expectedOsbench(0));
    expect(board.output.split('\n').filter((line) => line.startsWith('@metric ')).length).toBe(9);
    if (hasQemu) expectSameOutput('osbench, board against QEMU', (await bootOnQemu('init=/bin/osbench', diskPath)).output, board.output);
  });

  it('errtest: the same error paths and faults as on QEMU, and the kernel keeps running', { timeout: 120_000 }, async () => {
    // errtest kills a child spinning in U-mode: this needs timer preemption on the board.
    const board = await bootOnBoard('init=/bin/errtest', disk, 100_000_000);
    expect(errtestMismatches(board.output)).toEqual([]);
    // Fault lines carry the faulting pc: the same instruction of the same image on both machines.
    if (hasQemu) expect(board.output).toBe((await bootOnQemu('init=/bin/errtest', diskPath)).output);
    expect(board.exitCode).toBe(0);
  });

  it('fuzz: 5000 system calls with bad arguments, the same outcome as on QEMU', { timeout: 120_000 }, async () => {
    const board = await bootOnBoard('init=/bin/fuzz,5000', disk);
    expect(board.output).toBe('fuzz: 5000 calls in a child\nfuzz: child exited with 0\nfuzz: kernel still running: /bin/true 7 exited with 7\n');
    if (hasQemu) expect(board.output).toBe((await bootOnQemu('init=/bin/fuzz,5000', diskPath)).output);
  });

  it("powers off with init's exit status", async () => {
    const board = await bootOnBoard('init=/bin/true,42', disk);
    expect(board.output).toBe('');
    expect(board.exitCode).toBe(42);
  });

  it('fscheck: the same values of the file, time and identity calls as on QEMU', { timeout: 60_000 }, async () => {
    const board = await bootOnBoard('init=/bin/fscheck', disk);
    expect(board.output).toBe(expectedFscheck());
  });
});

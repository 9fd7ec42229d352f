// Boots firmware + kernel + initrd on the lab board (hw-model + cpu-core) and checks the guest
// prints what it prints on QEMU: every compute workload (the catalog's reference, which QEMU
// matches in kernel-qemu.test.ts), osbench's counts and checksums, and the error paths. Where QEMU
// is installed, the board's output is also compared with a QEMU boot of the same images.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeDifference, firstDifference, stripMetricLines } from '@virtlab/strategy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { diskImage } from '../disk/recipes.js';
import { readCpio } from '../initrd/cpio.js';
import { workloads } from './catalog.js';
import { bootOnBoard, bootOnQemu, bootSkipReason, errtestMismatches, expectedFscheck, initrdImage } from './kernel-test-support.js';
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

  it('hostile initrds: the kernel keeps the entries before a bad one, names its offset, and boots', { timeout: 120_000 }, async () => {
    const good = new Uint8Array(await readFile(initrdImage));
    const members = readCpio(good);
    expect(members.some((m) => m.name === 'bin/true')).toBe(true);
    // The trailer is the archive's last entry: 110-byte header + "TRAILER!!!" and its NUL, padded to 124.
    const trailerAt = good.length - 124;
    expect(new TextDecoder().decode(good.subarray(trailerAt + 110, trailerAt + 120))).toBe('TRAILER!!!');
    const entry = (fields: Record<number, string>, name: string) => {
      const values = [1, 0o100644, 0, 0, 1, 0, 0, 0, 0, 0, 0, name.length + 1, 0].map((v) => v.toString(16).padStart(8, '0'));
      for (const [i, text] of Object.entries(fields)) values[Number(i)] = text;
      const header = new TextEncoder().encode(`070701${values.join('')}${name}\0`);
      const padded = new Uint8Array(header.length + ((4 - (header.length % 4)) % 4));
      padded.set(header);
      return padded;
    };
    const withEntry = (bad: Uint8Array) => {
      const out = new Uint8Array(trailerAt + bad.length + 124);
      out.set(good.subarray(0, trailerAt));
      out.set(bad, trailerAt);
      out.set(good.subarray(trailerAt), trailerAt + bad.length);
      return out;
    };
    const at = `0x${trailerAt.toString(16)}`;
    const cases: [string, Uint8Array, string][] = [
      // A size that a u32 bounds check would wrap (doff + 0xffffffff), once read past the end.
      ['filesize 0xffffffff', withEntry(entry({ 6: 'ffffffff' }, 'bin/evil')), `initrd: entry at offset ${at} (bin/evil): 4294967295 bytes of data run past the end: ignoring the rest\n`],
      ['a name without its NUL at namesize', withEntry(entry({ 11: '00000004' }, 'bin/evil')), `initrd: entry at offset ${at}: its name does not end with its NUL inside the archive: ignoring the rest\n`],
      ['a field that is not hex', withEntry(entry({ 6: '0000000z' }, 'bin/evil')), `initrd: header at offset ${at} has a field that is not hex: ignoring the rest\n`],
      ['garbage instead of a header', withEntry(new Uint8Array(112).fill(0x41)), `initrd: no newc header at offset ${at}: ignoring the rest\n`],
    ];
    for (const [what, initrd, message] of cases) {
      const board = await bootOnBoard('init=/bin/true,3', disk, 400_000_000, initrd);
      expect(board.output, what).toBe(message);
      expect(board.exitCode, what).toBe(3);
    }
  });
});

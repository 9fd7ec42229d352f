// Boots firmware + kernel + initrd on QEMU (`-M virt -bios fw.elf -kernel kernel.elf -initrd
// initrd.cpio -append ...`) and checks what the guest prints: every compute workload against the
// catalog's reference output, osbench's counts and checksums, the error paths, the shell.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeDifference, firstDifference, stripMetricLines } from '@virtlab/strategy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diskImage } from '../disk/recipes.js';
import { osWorkloads, workloads } from './catalog.js';
import type { Boot } from './kernel-test-support.js';
import { bootOnQemu, bootSkipReason, errtestMismatches, expectedFscheck } from './kernel-test-support.js';
import { expectedOsbench } from './osbench.js';
import { has } from './test-support/peers.js';

const hasQemu = has('qemu-system-riscv32');
const skipReason = hasQemu ? bootSkipReason() : 'qemu-system-riscv32 is not installed';
const skip = skipReason !== undefined;
if (skipReason !== undefined) console.warn(`skipping the kernel boot tests on QEMU: ${skipReason}`);

let dir = '';
let disk = '';
const boot = (append: string, stdin = ''): Promise<Boot> => bootOnQemu(append, disk, { stdin });


describe.skipIf(skip)('guest kernel on QEMU', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'virtlab-kernel-'));
    disk = join(dir, 'disk.img');
    await writeFile(disk, diskImage());
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe.concurrent('compute workloads as processes print the catalog reference', () => {
    for (const workload of workloads) {
      it(`${workload.name} (test size)`, async () => {
        const result = await boot(`init=/bin/${workload.name},test`);
        const difference = firstDifference(stripMetricLines(workload.reference.test ?? ''), stripMetricLines(result.output));
        if (difference !== null) expect.fail(`${workload.name}: ${describeDifference(difference)}`);
        expect(result.exitCode).toBe(0);
      });
    }
  });

  it('osbench prints the counts and checksums the lmbench set implies, and a metric per item', async () => {
    const result = await boot('init=/bin/osbench');
    expect(stripMetricLines(result.output)).toBe(expectedOsbench(0));
    const metrics = result.output.split('\n').filter((line) => line.startsWith('@metric '));
    expect(metrics.map((line) => line.split(' ')[1])).toEqual([
      'osbench.null_syscall',
      'osbench.fork_exit_wait',
      'osbench.fork_execve',
      'osbench.pipe_roundtrip',
      'osbench.page_fault',
      'osbench.mmap_munmap_16_pages',
      'osbench.file_write_4k',
      'osbench.file_read_4k',
      'osbench.block_read_4k',
    ]);
    for (const line of metrics) expect(line).toMatch(/^@metric \S+ \d+\.\d\d ticks\/op$/);
    expect(result.exitCode).toBe(0);
  });

  describe.concurrent("osbench at each size prints the catalog's reference, with the catalog's disk", () => {
    const osbench = osWorkloads.find((w) => w.name === 'osbench')!;
    for (const image of osbench.images) {
      it(`${image.size}: init=/bin/osbench,${image.args?.join(',')}`, { timeout: 60_000 }, async () => {
        const result = await bootOnQemu(`init=/bin/osbench,${image.args?.join(',')}`, osbench.disk!);
        expect(stripMetricLines(result.output)).toBe(osbench.reference[image.size]);
        expect(result.exitCode).toBe(0);
      });
    }
  });

  it('the virtio-blk driver also speaks legacy virtio-mmio (version 1, QEMU 7.2 default)', async () => {
    const result = await bootOnQemu('init=/bin/osbench', disk, { legacyVirtio: true });
    expect(stripMetricLines(result.output)).toBe(expectedOsbench(0));
  });

  it('fscheck: file offsets, holes, O_TRUNC/O_APPEND, dup, dup3, directories, unlinked-but-open files, uname, clocks', async () => {
    const result = await boot('init=/bin/fscheck');
    expect(result.output).toBe(expectedFscheck());
    expect(result.exitCode).toBe(0);
  });

  it('error paths: EFAULT, EBADF, ENOEXEC, SIGSEGV, fork bomb limited with EAGAIN, and the kernel keeps running', async () => {
    const result = await boot('init=/bin/errtest');
    expect(errtestMismatches(result.output)).toEqual([]);
    expect(result.exitCode).toBe(0);
  });

  it('fuzz: 20000 system calls with bad arguments from several seeds, and the kernel keeps running', { timeout: 60_000 }, async () => {
    for (const seed of ['', ',20000,7', ',20000,1234567']) {
      const result = await boot(`init=/bin/fuzz${seed}`);
      expect(result.output).toBe(
        'fuzz: 20000 calls in a child\nfuzz: child exited with 0\nfuzz: kernel still running: /bin/true 7 exited with 7\n',
      );
      expect(result.exitCode).toBe(0);
    }
  });

  it('memhog: a process that exhausts memory is killed (SIGKILL), all its pages come back, the kernel goes on', async () => {
    const result = await boot('init=/bin/memhog');
    const lines = result.output.split('\n');
    const oom = (pid: number) => new RegExp(`^\\[kernel\\] pid ${pid} \\(memhog\\): out of memory at 0x[0-9a-f]{8}, pc 0x[0-9a-f]{8}: killed$`);
    expect(lines[0]).toMatch(oom(2));
    expect(lines.slice(1, 2)).toEqual(['round 1: child killed by signal 9']);
    expect(lines[2]).toMatch(oom(3));
    expect(lines.slice(3)).toEqual([
      'round 2: child killed by signal 9',
      'memhog: the same pages in both rounds (more than 16 MiB: yes)',
      'memhog: kernel still running: /bin/true 5 exited with 5',
      '',
    ]);
  });

  it('without init= the shell runs programs and built-ins and reports exit status', async () => {
    const input = 'ls /bin\necho hello world\ncat /bin/notelf\ntrue 3\necho $?\nnotelf\necho $?\nmkdir /tmp/x\ncd /tmp/x\npwd\nexit 0\n';
    const result = await boot('console=ttyS0', input);
    const text = result.output.replace(/\r/g, '');
    expect(text).toContain('virtlab kernel');
    expect(text).toMatch(/^errtest\nfscheck\nfuzz\nhashtable\n/m);
    expect(text).toContain('\nhello world\n');
    expect(text).toContain('this is a script, not an ELF program\n');
    expect(text).toContain('echo $?\n3\n');
    expect(text).toContain('sh: notelf: ENOEXEC\n');
    expect(text).toContain('echo $?\n127\n');
    expect(text).toContain('pwd\n/tmp/x\n');
    expect(result.exitCode).toBe(0);
  });

  it("powers off with init's exit status (SRST through the firmware to the finisher)", async () => {
    const result = await boot('init=/bin/true,3');
    expect(result.output).toBe('');
    expect(result.exitCode).toBe(3);
  });
});

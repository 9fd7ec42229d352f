// Boots firmware + kernel + initrd on QEMU (`-M virt -bios fw.elf -kernel kernel.elf -initrd
// initrd.cpio -append ...`) and checks what the guest prints: every compute workload against the
// catalog's reference output, osbench's counts and checksums, the error paths, the shell.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeDifference, firstDifference, stripMetricLines } from '@virtlab/strategy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workloads } from './catalog.js';
import { firmwareImage, guestImage } from './paths.js';
import { has } from './test-support/peers.js';

// Overrides for trying other builds: an output folder of `pnpm guests --out DIR`, another firmware.
const imagesDir = process.env.VIRTLAB_KERNEL_IMAGES;
const kernel = imagesDir ? join(imagesDir, 'kernel/kernel.elf') : guestImage('kernel/kernel.elf');
const initrd = imagesDir ? join(imagesDir, 'kernel/initrd.cpio') : guestImage('kernel/initrd.cpio');
const firmware = process.env.VIRTLAB_FIRMWARE ?? firmwareImage;
const missing = [firmware, kernel, initrd].filter((path) => !existsSync(path));
const hasQemu = has('qemu-system-riscv32');
const skip = !hasQemu || missing.length > 0;
if (!hasQemu) console.warn('skipping the kernel boot tests on QEMU: qemu-system-riscv32 is not installed');
else if (missing.length) console.warn(`skipping the kernel boot tests on QEMU: missing ${missing.join(', ')} (run pnpm guests)`);

/** FNV-1a, 32-bit (the checksum osbench prints for file and block data). */
function fnv1a(bytes: Uint8Array): number {
  let h = 2166136261;
  for (const byte of bytes) h = Math.imul(h ^ byte, 16777619) >>> 0;
  return h;
}

const hex = (value: number) => value.toString(16).padStart(8, '0');

/** The disk behind /dev/vda: 512 KiB from a 32-bit xorshift, so its checksum is known here. */
function diskImage(): Uint8Array {
  const bytes = new Uint8Array(512 * 1024);
  let x = 0x2545f491;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** What osbench writes to its file: 64 chunks of 4 KiB, byte i = 7i + 3, byte 0 = chunk index. */
function osbenchFileData(): Uint8Array {
  const data = new Uint8Array(64 * 4096);
  for (let chunk = 0; chunk < 64; chunk++) {
    for (let i = 0; i < 4096; i++) data[chunk * 4096 + i] = (i * 7 + 3) & 0xff;
    data[chunk * 4096] = chunk;
  }
  return data;
}

/** osbench's ordinary lines at scale 1, from the definition of each item (see osbench.c). */
function expectedOsbench(ppid: number): string {
  const sum = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i)).reduce((a, b) => a + b, 0);
  let mmapSum = 0;
  for (let round = 0; round < 100; round++) mmapSum += sum(16, (i) => round + i);
  return [
    'osbench: scale 1',
    `null syscall (getppid): 20000 calls, checksum ${20000 * ppid}`,
    `fork+exit+wait: 50 processes, checksum ${sum(50, (i) => i & 0x7f)}`,
    `fork+execve+wait: 20 programs, checksum ${sum(20, (i) => i % 100)}`,
    'pipe ping-pong: 1000 round trips, token 2000',
    `page fault on first touch: 256 pages, checksum ${sum(256, (i) => i)}, zero-filled 256`,
    `mmap+touch+munmap of 16 pages: 100 rounds, checksum ${mmapSum}`,
    `file write+read in the memory file system: 262144 bytes, fnv1a ${hex(fnv1a(osbenchFileData()))}`,
    `block read through virtio-blk: 262144 bytes, fnv1a ${hex(fnv1a(diskImage().subarray(0, 262144)))}`,
    'osbench: done',
    '',
  ].join('\n');
}

const killed = (pid: number, what: string, at: string | null) =>
  new RegExp(`^\\[kernel\\] pid ${pid} \\(errtest\\): ${what}${at === null ? '' : ` at 0x${at}`}, pc 0x[0-9a-f]{8}: killed$`);

/** errtest's transcript: the Linux error for each call (errno(3), the system calls' man pages). */
function expectedErrtest(): (string | RegExp)[] {
  return [
    'errtest: pid 1',
    ...[
      'write from null',
      'write from kernel memory',
      'read into kernel memory',
      'read into unmapped memory',
      'read into the MMIO window',
      'open with bad path pointer',
      'pipe2 with bad array',
      'clock_gettime with bad pointer',
      'execve with bad path',
      'uname into kernel memory',
      'fstat into null',
    ].map((what) => `${what}: EFAULT`),
    ...['read fd 99', 'write fd -1', 'close fd 42', 'fstat fd 77', 'dup fd 31', 'dup3 to fd 4096', 'write to read-only fd', 'lseek closed fd'].map(
      (what) => `${what}: EBADF`,
    ),
    'lseek on a pipe: ESPIPE',
    'write to pipe read end: EBADF',
    'write to pipe without readers: EPIPE',
    'open missing file: ENOENT',
    'open file as directory: ENOTDIR',
    'open directory for writing: EISDIR',
    'open file with O_DIRECTORY: ENOTDIR',
    'mkdir /tmp/d: OK',
    'mkdir /tmp/d again: EEXIST',
    'create /tmp/d/f: OK',
    'rmdir non-empty /tmp/d: ENOTEMPTY',
    'unlink directory /tmp/d: EISDIR',
    'unlink /tmp/d/f: OK',
    'rmdir /tmp/d: OK',
    'chdir to a file: ENOTDIR',
    'read a directory: EISDIR',
    'mmap file-backed: EINVAL',
    'mmap zero length: EINVAL',
    'munmap unaligned: EINVAL',
    'unknown system call 999: ENOSYS',
    killed(2, 'segmentation fault', '00000000'),
    'null dereference: child killed by signal 11',
    killed(3, 'segmentation fault', '00000040'),
    'jump to unmapped code: child killed by signal 11',
    killed(4, 'illegal instruction', null),
    'illegal instruction: child killed by signal 4',
    killed(5, 'segmentation fault', '80400000'),
    'store to kernel memory: child killed by signal 11',
    'exec of a non-ELF file: ENOEXEC',
    'exec of a non-ELF file: child exited with 3',
    'exec of a missing file: ENOENT',
    'exec of a missing file: child exited with 0',
    'exec of a directory: EACCES',
    'exec of a directory: child exited with 0',
    'kill SIGTERM sleeping child: OK',
    'SIGTERM: child killed by signal 15',
    'kill SIGKILL spinning child: OK',
    'SIGKILL: child killed by signal 9',
    'kill missing pid: ESRCH',
    'kill bad signal: EINVAL',
    'wait without children: ECHILD',
    "fork isolation: child ok; parent sees global 1, stack 'parent', buffer ''",
    // NPROC is 32 and errtest itself is process 1: 31 children fit, the next fork gets EAGAIN.
    'fork bomb: EAGAIN after 31 children',
    'fork bomb: reaped 31, 31 exited with 7',
    'kernel still running: /bin/true 42 exited with 42',
    '',
  ];
}

interface Boot {
  readonly output: string;
  readonly exitCode: number;
}

let dir = '';
let disk = '';

/** One QEMU boot with a virtio-blk disk; resolves when the guest powers off. */
function boot(append: string, stdin = '', timeoutMs = 60_000): Promise<Boot> {
  const args = ['-M', 'virt', '-m', '128M', '-display', 'none', '-monitor', 'none', '-serial', 'stdio'];
  args.push('-bios', firmware, '-kernel', kernel, '-initrd', initrd, '-append', append);
  args.push('-global', 'virtio-mmio.force-legacy=false');
  args.push('-drive', `file=${disk},if=none,format=raw,id=disk0,readonly=on`, '-device', 'virtio-blk-device,drive=disk0');
  return new Promise((resolve, reject) => {
    const child = spawn('qemu-system-riscv32', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`QEMU boot '${append}' did not power off within ${timeoutMs} ms:\n${Buffer.concat(out).toString('latin1')}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === null) return;
      const stderr = Buffer.concat(err).toString();
      if (code !== 0 && out.length === 0 && stderr.trim() !== '') reject(new Error(`QEMU failed: ${stderr}`));
      else resolve({ output: Buffer.concat(out).toString('latin1'), exitCode: code });
    });
    // Typed input arrives a line at a time, as a person would type it at the console.
    const lines = stdin.split(/(?<=\n)/).filter((line) => line !== '');
    let index = 0;
    const feed = () => {
      const line = lines[index++];
      if (line === undefined) return;
      child.stdin.write(line);
      setTimeout(feed, 150);
    };
    setTimeout(feed, 300);
  });
}

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

  it('error paths: EFAULT, EBADF, ENOEXEC, SIGSEGV, fork bomb limited with EAGAIN, and the kernel keeps running', async () => {
    const result = await boot('init=/bin/errtest');
    const lines = result.output.split('\n');
    const expected = expectedErrtest();
    expect(lines.length).toBe(expected.length);
    expected.forEach((pattern, index) => {
      if (typeof pattern === 'string') expect(lines[index]).toBe(pattern);
      else expect(lines[index]).toMatch(pattern);
    });
    expect(result.exitCode).toBe(0);
  });

  it('without init= the shell runs programs and built-ins and reports exit status', async () => {
    const input = 'ls /bin\necho hello world\ncat /bin/notelf\ntrue 3\necho $?\nnotelf\necho $?\nmkdir /tmp/x\ncd /tmp/x\npwd\nexit 0\n';
    const result = await boot('console=ttyS0', input);
    const text = result.output.replace(/\r/g, '');
    expect(text).toContain('virtlab kernel');
    expect(text).toMatch(/^errtest\nhashtable\n/m);
    expect(text).toContain('\nhello world\n');
    expect(text).toContain('this is a script, not an ELF program\n');
    expect(text).toContain('echo $?\n3\n');
    expect(text).toContain('sh: notelf: ENOEXEC\n');
    expect(text).toContain('echo $?\n127\n');
    expect(text).toContain('pwd\n/tmp/x\n');
    expect(result.exitCode).toBe(0);
  });

  it('powers off with a failure status when init exits non-zero', async () => {
    const result = await boot('init=/bin/true,3');
    expect(result.output).toBe('');
    expect(result.exitCode).not.toBe(0);
  });
});

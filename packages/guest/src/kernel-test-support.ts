// Shared by the kernel boot tests (QEMU and the lab board) and the osbench script: where the
// images are, what errtest and fscheck must print, and one boot on each machine. The disk and
// osbench's expected lines live with the catalog (disk/recipes.ts, src/osbench.ts).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Hart } from '@virtlab/cpu-core';
import { bootQemu, createVirtBoard, describeExit, runMachine, startHart } from '@virtlab/hw-model';
import { INITRD_PROGRAMS } from '../initrd/recipes.js';
import { sha256 } from './build/manifest.js';
import type { Manifest } from './build/manifest.js';
import { firmwareImage, guestImage, guestImagesDir, guestPackageDir, manifestPath } from './paths.js';

// Overrides for trying other builds: an output folder of `pnpm guests --out DIR`, another firmware.
const imagesDir = process.env.VIRTLAB_KERNEL_IMAGES;
/** The images a kernel boot uses. */
export const kernelImage = imagesDir ? join(imagesDir, 'kernel/kernel.elf') : guestImage('kernel/kernel.elf');
export const initrdImage = imagesDir ? join(imagesDir, 'kernel/initrd.cpio') : guestImage('kernel/initrd.cpio');
export const firmwareElf = process.env.VIRTLAB_FIRMWARE ?? firmwareImage;
/** Images that are not there (the boot tests skip and say which). */
export const missingImages = [firmwareElf, kernelImage, initrdImage].filter((path) => !existsSync(path));

/**
 * Committed kernel images whose inputs changed since `pnpm guests` built them (or that have no
 * manifest entry yet): the boot tests skip then, since the manifest test already reports it and
 * the images would not show the sources' behaviour. Empty when VIRTLAB_KERNEL_IMAGES is set.
 */
export const staleKernelImages: string[] = imagesDir !== undefined || missingImages.length > 0 ? [] : findStaleKernelImages();

function findStaleKernelImages(): string[] {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const expected = ['kernel/kernel.elf', 'kernel/initrd.cpio', ...INITRD_PROGRAMS.map((name) => `kernel/bin/${name}.elf`)];
  const stale: string[] = [];
  for (const output of expected) {
    const entry = manifest.images[output];
    if (entry === undefined) {
      stale.push(`${output} (not in the manifest)`);
      continue;
    }
    for (const input of entry.inputs) {
      const file = input.path.startsWith('images/') ? join(guestImagesDir, input.path.slice(7)) : join(guestPackageDir, input.path);
      if (!existsSync(file) || sha256(readFileSync(file)) !== input.sha256) {
        stale.push(`${output} (${input.path} changed)`);
        break;
      }
    }
  }
  return stale;
}

/** Why the boot tests cannot run, or undefined when they can. */
export function bootSkipReason(): string | undefined {
  if (missingImages.length) return `missing ${missingImages.join(', ')} (run pnpm guests)`;
  if (staleKernelImages.length) return `stale images: ${staleKernelImages.join(', ')} (run pnpm guests)`;
  return undefined;
}

const killed = (pid: number, what: string, at: string | null) =>
  new RegExp(`^\\[kernel\\] pid ${pid} \\(errtest\\): ${what}${at === null ? '' : ` at 0x${at}`}, pc 0x[0-9a-f]{8}: killed$`);

/** errtest's transcript: the Linux error for each call (errno(3), the system calls' man pages). */
export function expectedErrtest(): (string | RegExp)[] {
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
    'preemption: both spinning children ran',
    "fork isolation: child ok; parent sees global 1, stack 'parent', buffer ''",
    // fd 3 is still the directory errtest read above; 4 plain, 5 O_CLOEXEC, 6 FD_CLOEXEC by fcntl.
    'fcntl F_SETFD FD_CLOEXEC: OK',
    'fcntl F_GETFD: 0 1 1',
    'after execve, fd 4: OK',
    'after execve, fd 5: EBADF',
    'after execve, fd 6: EBADF',
    // NPROC is 32 and errtest itself is process 1: 31 children fit, the next fork gets EAGAIN.
    'fork bomb: EAGAIN after 31 children',
    'fork bomb: reaped 31, 31 exited with 7',
    'kernel still running: /bin/true 42 exited with 42',
    '',
  ];
}

/** fscheck's output: the values POSIX and Linux give for each call it makes (see fscheck.c). */
export function expectedFscheck(): string {
  return [
    'lseek SEEK_CUR 0: 12', // after writing "hello, world"
    'lseek SEEK_SET 7: 7',
    'lseek SEEK_END -3: 9',
    'lseek to -1: EINVAL',
    'fstat: size 12, regular yes, nlink 1',
    'after a write at 20: 21 bytes, byte 15 is 0, byte 20 is \'!\'', // the hole reads as zeros
    "/tmp/a holds 21 bytes: 'hello, there'",
    "/tmp/a holds 7 bytes: 'one+two'", // O_TRUNC, then O_APPEND writes at the end
    'dup shares the offset: 3',
    "/tmp/out holds 13 bytes: 'into the file'", // stdout redirected with dup3
    'getcwd: /tmp/dir',
    'getdents64 of /tmp/dir: .(dir) ..(dir) x(file) sub(dir)',
    'getdents64 at the end: 0',
    'rmdir /tmp/dir after emptying it: OK',
    'rmdir of the working directory: OK, then create in it: ENOENT, mkdir in it: ENOENT',
    "unlinked but open: 'still here', open by name: ENOENT",
    'uname: virtlab 0.1.0 riscv32',
    'nanosleep 20 ms: the monotonic clock advanced at least 20 ms: yes',
    'clock_gettime with an unknown clock: EINVAL',
    'nanosleep with 1e9 ns: EINVAL',
    'getpid 1, getppid 0',
    '',
  ].join('\n');
}

/** Lines of errtest's output that differ from the expected transcript (empty when all match). */
export function errtestMismatches(output: string): string[] {
  const lines = output.split('\n');
  const expected = expectedErrtest();
  const problems: string[] = [];
  for (let i = 0; i < Math.max(lines.length, expected.length); i++) {
    const want = expected[i];
    const got = lines[i];
    const ok = typeof want === 'string' ? got === want : want !== undefined && got !== undefined && want.test(got);
    if (!ok) problems.push(`line ${i + 1}: expected ${String(want)}, got ${JSON.stringify(got)}`);
  }
  return problems;
}

/** What a boot printed and how the machine powered off. */
export interface Boot {
  readonly output: string;
  readonly exitCode: number;
}


export interface QemuBootOptions {
  /** Typed at the console, a line at a time. */
  readonly stdin?: string;
  /** QEMU 7.2's default legacy virtio-mmio (version 1) instead of the modern interface the board has. */
  readonly legacyVirtio?: boolean;
  readonly timeoutMs?: number;
}

/** One QEMU boot with `disk` as virtio-blk; resolves when the guest powers off. */
export function bootOnQemu(append: string, disk: string, options: QemuBootOptions = {}): Promise<Boot> {
  const { stdin = '', legacyVirtio = false, timeoutMs = 60_000 } = options;
  const args = ['-M', 'virt', '-m', '128M', '-display', 'none', '-monitor', 'none', '-serial', 'stdio'];
  args.push('-bios', firmwareElf, '-kernel', kernelImage, '-initrd', initrdImage, '-append', append);
  if (!legacyVirtio) args.push('-global', 'virtio-mmio.force-legacy=false');
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

/** A boot on the lab board: also the lab cycles and instructions it took. */
export interface BoardBoot extends Boot {
  readonly labCycles: number;
  readonly instructions: number;
}

/**
 * One boot on the lab board (hw-model's virt board, cpu-core's hart) with the same images,
 * bootargs and disk as on QEMU (or the initrd given). Throws, saying how the run ended, when the guest does not power off.
 */
export async function bootOnBoard(append: string, disk: Uint8Array, maxInstructions = 400_000_000, initrd?: Uint8Array): Promise<BoardBoot> {
  const board = createVirtBoard({ bootargs: append, disk: new Uint8Array(disk) });
  const state = bootQemu(board, {
    firmware: await readFile(firmwareElf),
    kernel: await readFile(kernelImage),
    initrd: initrd ?? (await readFile(initrdImage)),
  }).state;
  const hart = new Hart(board);
  startHart(hart, state);
  const run = runMachine(board, hart, { maxInstructions });
  const output = Buffer.from(run.output).toString('latin1');
  if (run.exit.kind !== 'poweroff') throw new Error(`board boot '${append}': ${describeExit(run.exit)}; output so far:\n${output}`);
  return { output, exitCode: run.exit.exitCode, labCycles: run.labCycles, instructions: run.instructions };
}

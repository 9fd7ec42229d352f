/** The differential test programs: their sources, what they must do, and where the images are. */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TestProgram {
  readonly name: string;
  readonly source: string;
  /** Exit code through the finisher, on QEMU and on the board; -1 for a guest that never ends. */
  readonly exitCode: number;
  /** Runs on QEMU too (false for programs that only the board can end, e.g. runaway guests). */
  readonly differential: boolean;
  /** What the guest's UART receives (QEMU's stdin). */
  readonly input?: string;
  /** Runs with a virtio-blk disk: `diskImage()` on the board, the same bytes as a raw drive on QEMU. */
  readonly disk?: boolean;
  /** Ends through the HTIF `tohost` word (riscv-tests' convention), which QEMU's virt does not have. */
  readonly htif?: boolean;
  /** 'kernel': an S-mode kernel linked at 0x8040_0000 (link-kernel.ld, kernel-crt0.S), not run alone. */
  readonly kind?: 'bare' | 'kernel';
  /** Firmware for QEMU's boot protocol: `-bios <this> -kernel <kernel> -initrd <initrd> -append <append>`. */
  readonly boot?: { readonly kernel: string; readonly initrd: string; readonly append: string };
}

// Resolved from the package root so it holds from source (test-programs/) and from dist/ alike.
export const TEST_PROGRAMS_DIR = fileURLToPath(new URL('../test-programs/', import.meta.url));
const SHARED = ['rt.c', 'rt.h'] as const;

/** Start-up file and linker script of a program's kind. */
export function runtimeOf(program: TestProgram): { readonly start: string; readonly linkScript: string } {
  return program.kind === 'kernel' ? { start: 'kernel-crt0.S', linkScript: 'link-kernel.ld' } : { start: 'crt0.S', linkScript: 'link.ld' };
}

/** The C and assembly files compiled into a program's image. */
export function compiledSources(program: TestProgram): string[] {
  return [runtimeOf(program).start, 'rt.c', program.source];
}

export const PROGRAMS: readonly TestProgram[] = [
  { name: 'hello', source: 'hello.c', exitCode: 0, differential: true },
  { name: 'exit-code', source: 'exit-code.c', exitCode: 7, differential: true },
  { name: 'timer', source: 'timer.c', exitCode: 0, differential: true },
  { name: 'privilege', source: 'privilege.c', exitCode: 0, differential: true },
  { name: 'paging', source: 'paging.c', exitCode: 0, differential: true },
  { name: 'wild-jump', source: 'wild-jump.c', exitCode: 99, differential: true },
  { name: 'trap-loop', source: 'trap-loop.c', exitCode: -1, differential: false },
  { name: 'loop-forever', source: 'loop-forever.c', exitCode: -1, differential: false },
  { name: 'mmio-garbage', source: 'mmio-garbage.c', exitCode: 0, differential: true },
  { name: 'virtio-blk', source: 'virtio-blk.c', exitCode: 0, differential: true, disk: true },
  { name: 'uart-echo', source: 'uart-echo.c', exitCode: 0, differential: true, input: 'hello uart\nsecond line\n' },
  { name: 'uart-echo-s', source: 'uart-echo-s.c', exitCode: 0, differential: true, input: 'to the\nsupervisor\n' },
  { name: 'htif-exit', source: 'htif-exit.c', exitCode: 5, differential: false, htif: true },
  { name: 'boot-kernel', source: 'boot-kernel.c', exitCode: 0, differential: false, kind: 'kernel' },
  {
    name: 'boot-fw',
    source: 'boot-fw.c',
    exitCode: 0,
    differential: true,
    boot: { kernel: 'boot-kernel', initrd: 'boot-initrd.txt', append: 'console=ttyS0 virtlab.test=boot' },
  },
];

/** A file of test-programs/src (initrd contents, ...). */
export function sourcePath(file: string): string {
  return join(TEST_PROGRAMS_DIR, 'src', file);
}

export function imagePath(name: string): string {
  return join(TEST_PROGRAMS_DIR, 'images', `${name}.elf`);
}

/** The UART output QEMU produced for a differential program when the images were built. */
export function qemuOutputPath(name: string): string {
  return join(TEST_PROGRAMS_DIR, 'images', `${name}.qemu-output`);
}

/** The disk the `disk` programs get: 8 KiB, sector 0 starts with a recognisable line. */
export function diskImage(): Uint8Array {
  const disk = new Uint8Array(8192);
  const text = new TextEncoder().encode('virtlab disk sector 0: hello from the disk image\n');
  disk.set(text);
  for (let i = 512; i < disk.length; i++) disk[i] = 0x2e;
  return disk;
}

/**
 * The QEMU command line for a bare program, as QEMU-NOTES.md gives it; a disk program gets the
 * modern virtio-mmio interface (`force-legacy=false`) and a raw drive at `diskFile`.
 */
export function qemuArgs(name: string, diskFile?: string): string[] {
  const program = PROGRAMS.find((p) => p.name === name);
  const boot = program?.boot;
  const image = boot === undefined ? ['-bios', 'none', '-kernel', imagePath(name)] : ['-bios', imagePath(name), '-kernel', imagePath(boot.kernel)];
  if (boot !== undefined) image.push('-initrd', sourcePath(boot.initrd), '-append', boot.append);
  const args = ['-M', 'virt', ...image, '-display', 'none', '-monitor', 'none', '-serial', 'stdio'];
  if (program?.disk === true) {
    if (diskFile === undefined) throw new Error(`${name} needs a disk file for QEMU (write diskImage() to one)`);
    args.push('-global', 'virtio-mmio.force-legacy=false', '-drive', `file=${diskFile},if=none,format=raw,id=hd0`, '-device', 'virtio-blk-device,drive=hd0');
  }
  return args;
}

/** Hash of everything that goes into a program's image. */
export function sourceHash(program: TestProgram): string {
  const h = createHash('sha256');
  const extra = program.boot === undefined ? [] : [program.boot.initrd];
  for (const f of [...compiledSources(program), ...SHARED, runtimeOf(program).linkScript, ...extra]) h.update(f).update(readFileSync(sourcePath(f)));
  return h.digest('hex');
}

export interface QemuRun {
  readonly status: number | null;
  /** UART output, one char per byte (latin1). */
  readonly output: string;
}

/**
 * Runs a differential program on qemu-system-riscv32 (a disk program gets a fresh copy of
 * `diskImage()` in `scratchDir`, an input program its input on stdin). Asynchronous, so a test
 * worker's event loop keeps running meanwhile; killed after `timeoutMs`.
 */
export function runOnQemu(program: TestProgram, scratchDir: string, timeoutMs = 30_000): Promise<QemuRun> {
  const disk = join(scratchDir, `${program.name}.img`);
  if (program.disk === true) writeFileSync(disk, diskImage());
  return new Promise((resolve, reject) => {
    const child = spawn('qemu-system-riscv32', qemuArgs(program.name, disk), { stdio: ['pipe', 'pipe', 'ignore'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ status, output: Buffer.concat(out).toString('latin1') });
    });
    // Keep stdin open: at EOF on stdin QEMU 7.2's stdio chardev now and then drops serial output
    // characters (seen as "bootgs" for "bootargs" in about one run in ten under load).
    child.stdin.on('error', () => undefined);
    child.stdin.write(program.input ?? '');
  });
}
export { firstLoad, hostileElfs, mapLoads, overlappingLoads, overlappingNames, withProgramHeaders, type HostileElf } from './hostile.js';

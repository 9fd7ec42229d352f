// osbench (initrd/src/osbench.c), the lmbench set for the guest kernel, as the catalog knows it:
// its items, the scale it runs at per size, and the ordinary lines it must print, derived from the
// definition of each item (checked against QEMU in kernel-qemu.test.ts).
import type { WorkloadSize } from '@virtlab/strategy';
import { diskImage } from '../disk/recipes.js';

/** The items osbench measures, as its `@metric osbench.<item> N.NN ticks/op` lines name them, in order. */
export const OSBENCH_ITEMS = [
  'null_syscall',
  'fork_exit_wait',
  'fork_execve',
  'pipe_roundtrip',
  'page_fault',
  'mmap_munmap_16_pages',
  'file_write_4k',
  'file_read_4k',
  'block_read_4k',
] as const;
export type OsbenchItem = (typeof OSBENCH_ITEMS)[number];

/**
 * osbench's scale (argv[1], iterations multiplied) per workload size: `test` is scale 1 (about 29
 * million instructions with the boot), `bench` scale 10 (about 270 million). Figures per operation
 * do not depend on the scale; a larger one only averages over more operations.
 */
export const OSBENCH_SCALE: Readonly<Record<WorkloadSize, number>> = { test: 1, bench: 10 };

/** FNV-1a, 32-bit (the checksum osbench prints for file and block data). */
export function fnv1a(bytes: Uint8Array): number {
  let h = 2166136261;
  for (const byte of bytes) h = Math.imul(h ^ byte, 16777619) >>> 0;
  return h;
}

const CHUNK = 4096;

/** What osbench writes to its file: 64 × scale chunks of 4 KiB, byte i = 7i + 3, byte 0 = chunk index (mod 256). */
export function osbenchFileData(scale = 1): Uint8Array {
  const chunks = 64 * scale;
  const data = new Uint8Array(chunks * CHUNK);
  for (let chunk = 0; chunk < chunks; chunk++) {
    for (let i = 0; i < CHUNK; i++) data[chunk * CHUNK + i] = (i * 7 + 3) & 0xff;
    data[chunk * CHUNK] = chunk & 0xff;
  }
  return data;
}

/** What osbench reads from /dev/vda: 64 × scale chunks of 4 KiB, from the start again at the end of the disk. */
export function osbenchBlockData(scale = 1): Uint8Array {
  const disk = diskImage();
  const data = new Uint8Array(64 * scale * CHUNK);
  for (let at = 0; at < data.length; at += disk.length) data.set(disk.subarray(0, Math.min(disk.length, data.length - at)), at);
  return data;
}

/** osbench's ordinary lines at `scale` when its parent is `ppid`, from the definition of each item (see osbench.c). */
export function expectedOsbench(ppid: number, scale = 1): string {
  const sum = (n: number, f: (i: number) => number) => {
    let total = 0;
    for (let i = 0; i < n; i++) total = (total + f(i)) >>> 0;
    return total;
  };
  const hex = (value: number) => value.toString(16).padStart(8, '0');
  const calls = 20000 * scale;
  const forks = 50 * scale;
  const execs = 20 * scale;
  const trips = 1000 * scale;
  const pages = 256 * scale;
  const rounds = 100 * scale;
  const file = osbenchFileData(scale);
  return [
    `osbench: scale ${scale}`,
    `null syscall (getppid): ${calls} calls, checksum ${Math.imul(calls, ppid) >>> 0}`,
    `fork+exit+wait: ${forks} processes, checksum ${sum(forks, (i) => i & 0x7f)}`,
    `fork+execve+wait: ${execs} programs, checksum ${sum(execs, (i) => i % 100)}`,
    `pipe ping-pong: ${trips} round trips, token ${2 * trips}`,
    `page fault on first touch: ${pages} pages, checksum ${sum(pages, (i) => i)}, zero-filled ${pages}`,
    `mmap+touch+munmap of 16 pages: ${rounds} rounds, checksum ${sum(rounds, (round) => sum(16, (i) => round + i))}`,
    `file write+read in the memory file system: ${file.length} bytes, fnv1a ${hex(fnv1a(file))}`,
    `block read through virtio-blk: ${64 * scale * CHUNK} bytes, fnv1a ${hex(fnv1a(osbenchBlockData(scale)))}`,
    'osbench: done',
    '',
  ].join('\n');
}

// Runs osbench on the lab board and prints a Markdown table of lab cycles per operation.
// Usage (from packages/guest):
//   node --conditions=@virtlab/source --import tsx kernel/osbench-board.mjs [scale]
// Uses images/firmware/fw.elf and images/kernel/{kernel.elf,initrd.cpio}; VIRTLAB_FIRMWARE and
// VIRTLAB_KERNEL_IMAGES point it at other builds, as in the boot tests.
import { bootOnBoard, diskImage, missingImages } from '../src/kernel-test-support.ts';

// The board's default: lab cycles per tick of mtime, which the `time` CSR reads (hw-model LabClock).
const CYCLES_PER_TICK = 10;

const ITEMS = {
  null_syscall: 'null system call (getppid)',
  fork_exit_wait: 'fork + exit + wait',
  fork_execve: 'fork + execve + wait (/bin/true)',
  pipe_roundtrip: 'pipe round trip between two processes',
  page_fault: 'page fault on first touch (demand-zero)',
  mmap_munmap_16_pages: 'mmap + touch + munmap of 16 pages',
  file_write_4k: 'file write, 4 KiB (memory fs)',
  file_read_4k: 'file read, 4 KiB (memory fs)',
  block_read_4k: 'block read, 4 KiB (virtio-blk)',
};

if (missingImages.length) {
  console.error(`missing ${missingImages.join(', ')}: run pnpm guests`);
  process.exit(1);
}
const scale = process.argv[2] ?? '1';
const run = await bootOnBoard(`init=/bin/osbench,${scale}`, diskImage(), 2_000_000_000);
console.log(`osbench on the lab board, scale ${scale}: ${run.instructions} instructions, ${run.labCycles} lab cycles in all\n`);
console.log('| operation | lab cycles per operation |');
console.log('|---|---:|');
for (const line of run.output.split('\n')) {
  const match = /^@metric osbench\.(\S+) (\d+)\.(\d\d) ticks\/op$/.exec(line);
  if (!match) continue;
  const [, name, whole, cents] = match;
  const cycles = Math.round(((Number(whole) * 100 + Number(cents)) * CYCLES_PER_TICK) / 100);
  console.log(`| ${ITEMS[name] ?? name} | ${cycles.toLocaleString('en-US')} |`);
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workload, WorkloadImage, WorkloadSize } from '@virtlab/strategy';
import { WORKLOAD_SIZES } from '@virtlab/strategy';
import { DISK_IMAGE_OUTPUT } from '../disk/recipes.js';
import { workloadImageOutput, workloadSource } from './build/workload-recipes.js';
import { OSBENCH_ITEMS, OSBENCH_SCALE, expectedOsbench } from './osbench.js';
import { guestImage, guestPackageDir, referencePath } from './paths.js';
import { WORKLOAD_SPECS } from './workload-specs.js';

/** The targets every compute workload is built for (WorkloadImage.target). */
export const GUEST_TARGETS = ['rv32-bare', 'rv32-process', 'wasm32-wasi', 'host-c'] as const;
export type GuestTarget = (typeof GUEST_TARGETS)[number];

/**
 * Images of one workload:
 * - `rv32-bare`, `wasm32-wasi`: one image per size, size compiled in, no arguments;
 * - `rv32-process`: one ELF for both sizes, `args: [size]` (argv[1]);
 * - `host-c`: `path` is the single C file; build it with `cc -O2 -o prog <path>` and run it
 *   with `args` (it includes its runtime header and uses the host's stdio).
 */
function imagesOf(name: string): WorkloadImage[] {
  const images: WorkloadImage[] = [];
  for (const size of WORKLOAD_SIZES) {
    images.push({ target: 'rv32-bare', size, path: guestImage(workloadImageOutput(name, 'rv32-bare', size)) });
    images.push({
      target: 'rv32-process',
      size,
      path: guestImage(workloadImageOutput(name, 'rv32-process')),
      args: [size],
    });
    images.push({ target: 'wasm32-wasi', size, path: guestImage(workloadImageOutput(name, 'wasm32-wasi', size)) });
    images.push({ target: 'host-c', size, path: join(guestPackageDir, workloadSource(name)), args: [size] });
  }
  return images;
}

function loadReference(name: string): Partial<Record<WorkloadSize, string>> {
  const reference: Partial<Record<WorkloadSize, string>> = {};
  for (const size of WORKLOAD_SIZES) reference[size] = readFileSync(referencePath(name, size), 'latin1');
  return reference;
}

/** The compute suite: every workload with its images per target and size and its reference output. */
export const workloads: readonly Workload[] = WORKLOAD_SPECS.map((spec) => ({
  name: spec.name,
  description: spec.description,
  sizes: WORKLOAD_SIZES,
  images: imagesOf(spec.name),
  reference: loadReference(spec.name),
  expectedExitCode: 0,
}));

/**
 * The OS suite: programs of the guest kernel's initrd that measure the kernel itself, each item
 * an `@metric <workload>.<item> N ticks/op` line. Only an `rv32-process` image (the process is
 * the point), so strategies without a guest kernel skip them through `supports`. Kept apart from
 * `workloads`, which stays the compute suite that every target runs.
 *
 * - `osbench`: the lmbench set (null syscall, fork, exec, pipe, page fault, mmap, file and block
 *   I/O) at scale 1 (`test`) or 10 (`bench`), with the disk its block read reads. Its reference is
 *   derived from each item's definition (`expectedOsbench`; init's parent is pid 0), the same
 *   lines kernel-qemu.test.ts sees QEMU print.
 */
export const osWorkloads: readonly Workload[] = [
  {
    name: 'osbench',
    description: 'the lmbench set on the guest kernel: null syscall, fork, exec, pipe, page fault, mmap, file and block I/O',
    sizes: WORKLOAD_SIZES,
    images: WORKLOAD_SIZES.map((size) => ({
      target: 'rv32-process',
      size,
      path: guestImage('kernel/bin/osbench.elf'),
      args: [String(OSBENCH_SCALE[size])],
    })),
    reference: Object.fromEntries(WORKLOAD_SIZES.map((size) => [size, expectedOsbench(0, OSBENCH_SCALE[size])])),
    expectedExitCode: 0,
    disk: guestImage(DISK_IMAGE_OUTPUT),
  },
];

/** The items each OS workload reports, by workload name: `@metric <workload>.<item> N.NN ticks/op`. */
export const OS_WORKLOAD_ITEMS: ReadonlyMap<string, readonly string[]> = new Map([['osbench', OSBENCH_ITEMS]]);

export class UnknownWorkloadError extends Error {
  override readonly name = 'UnknownWorkloadError';
}

export function workloadByName(name: string): Workload {
  const found = workloads.find((workload) => workload.name === name);
  if (found === undefined) {
    throw new UnknownWorkloadError(`no guest workload named '${name}' (have: ${workloads.map((w) => w.name).join(', ')})`);
  }
  return found;
}

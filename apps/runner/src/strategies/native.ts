import { readFile } from 'node:fs/promises';
import { firmwareImage, guestImage } from '@virtlab/guest';
import type { Strategy } from '@virtlab/strategy';
import { bootKernel, type KernelImages } from './lab-run.js';
import { labStrategy } from './lab-strategy.js';

export const GUEST_KERNEL: KernelImages = {
  firmware: firmwareImage,
  kernel: guestImage('kernel/kernel.elf'),
  initrd: guestImage('kernel/initrd.cpio'),
};

/**
 * The lab-view baseline: firmware + guest kernel + initrd on the lab board, the workload run as
 * a process through `init=`. Every other lab strategy is measured against it.
 */
export function nativeStrategy(images: KernelImages = GUEST_KERNEL, engine = 'interp'): Strategy {
  return labStrategy({
    name: 'native',
    description: 'firmware + guest kernel on the lab board, the workload as a process (init=/bin/<name>)',
    target: 'rv32-process',
    async execute(image, workload, size, maxInstructions) {
      // The kernel splits init=... on commas into argv; the process image takes the size as argv[1].
      const argv = [`/bin/${workload.name}`, ...(image.args ?? [size])];
      // The workload's disk as virtio-blk: the bytes read into memory are the board's private copy.
      const disk = workload.disk === undefined ? undefined : new Uint8Array(await readFile(workload.disk));
      return bootKernel(images, `init=${argv.join(',')}`, maxInstructions, disk, engine);
    },
  });
}

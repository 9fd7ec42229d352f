import { GUEST_KERNEL, initBootargs, kernelBoard, labStrategy, readPrivateDisk, runOnBoard, type KernelImages, type LabOptions } from '@virtlab/lab-kit';
import type { Strategy } from '@virtlab/strategy';

/**
 * The lab-view baseline: firmware + guest kernel + initrd on the lab board, the workload run as
 * a process through `init=`. Every other lab strategy is measured against it.
 */
export function nativeStrategy(options: LabOptions = {}, images: KernelImages = GUEST_KERNEL): Strategy {
  return labStrategy({
    name: 'native',
    description: 'firmware + guest kernel on the lab board, the workload as a process (init=/bin/<name>)',
    target: 'rv32-process',
    options,
    async execute({ image, workload, size, cost, run }) {
      const bootargs = initBootargs(workload.name, image.args ?? [size]);
      const disk = await readPrivateDisk(workload.disk);
      const { board, state } = await kernelBoard(images, { bootargs, cost, ...(disk === undefined ? {} : { disk }) });
      return runOnBoard(board, state, run);
    },
  });
}

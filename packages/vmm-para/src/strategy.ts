/**
 * The lab strategy `vmm-para`: the para-virtualized build of the guest kernel (the same sources
 * with arch/para.c; images/kernel/kernel-para.elf) and the same initrd, as domain 0 under the
 * para hypervisor, the workload run as process 1 (init=).
 */
import { guestImage } from '@virtlab/guest';
import { DEFAULT_RAM_SIZE, createVirtBoard } from '@virtlab/hw-model';
import { initBootargs, labStrategy, readKernelImages, readPrivateDisk, runInChunks } from '@virtlab/lab-kit';
import type { KernelImages, LabOptions, StrategyPackage } from '@virtlab/lab-kit';
import type { Strategy } from '@virtlab/strategy';
import { ParaHypervisor } from './hypervisor.js';
import { withParaEvents } from './para-events.js';

/** Pages of hypervisor memory on top of the domain's RAM: kernel views and the direct map. */
const POOL_PAGES = 512;

/** The para kernel's images (the firmware is not used: the hypervisor boots the kernel itself). */
export const PARA_KERNEL: KernelImages = {
  firmware: guestImage('firmware/fw.elf'),
  kernel: guestImage('kernel/kernel-para.elf'),
  initrd: guestImage('kernel/initrd.cpio'),
};

/** Counters the strategy's reports carry besides the lab's own. */
export const PARA_COUNTERS = ['para.hypercalls', 'para.bounces', 'para.upcalls', 'para.paging.pteUpdates', 'event.para.entry'] as const;

export function paraStrategy(options: LabOptions = {}, images: KernelImages = PARA_KERNEL): Strategy {
  return labStrategy({
    name: 'vmm-para',
    description: 'the para-virtualized guest kernel (arch/para.c) in U-mode under a Xen-style hypervisor: hypercalls, direct paging, event upcalls, a block ring',
    target: 'rv32-process',
    counters: PARA_COUNTERS,
    options,
    async execute({ image, workload, size, cost, engine, profile, run }) {
      const { kernel, initrd } = await readKernelImages(images);
      const disk = await readPrivateDisk(workload.disk);
      const board = createVirtBoard({ ramSize: DEFAULT_RAM_SIZE + POOL_PAGES * 4096, cost: withParaEvents(cost) });
      const hv = new ParaHypervisor(board, {
        domains: [{ kernel, initrd, bootargs: initBootargs(workload.name, image.args ?? [size]), ramSize: DEFAULT_RAM_SIZE, ...(disk === undefined ? {} : { disk }) }],
        poolPages: POOL_PAGES,
        engine,
        profile,
      });
      const result = await runInChunks(board, hv.engine, run);
      return { ...result, counters: { ...result.counters, ...hv.counters() } };
    },
  });
}

/** The package for the runner's list. */
export const vmmPara: StrategyPackage = {
  name: '@virtlab/vmm-para',
  strategies: (options) => [paraStrategy(options)],
};

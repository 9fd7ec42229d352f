/**
 * The lab strategy `vmm-full/trap-emulate`: the unmodified guest kernel and initrd (the same
 * images as `native`) in a VM under the hypervisor, the workload run as process 1 (init=).
 */
import { DEFAULT_RAM_SIZE, createVirtBoard } from '@virtlab/hw-model';
import { GUEST_KERNEL, initBootargs, labStrategy, readKernelImages, readPrivateDisk, runInChunks } from '@virtlab/lab-kit';
import type { KernelImages, LabOptions, StrategyPackage } from '@virtlab/lab-kit';
import type { Strategy } from '@virtlab/strategy';
import { Hypervisor } from './hypervisor.js';
import { withVmmEvents } from './vmm-events.js';

/** The VM gets the board's default RAM, as `native` does; the shadow pool comes on top. */
const SHADOW_POOL_PAGES = 1024;

/** Counters the strategy's reports carry besides the lab's own. */
export const TRAP_EMULATE_COUNTERS = ['vmm.exits', 'vmm.fault.hidden', 'vmm.fault.reflected', 'vmm.emulated_instructions', 'event.vm.exit'] as const;

/** Counters of binary translation's reports besides trap-and-emulate's. */
export const BINARY_TRANSLATION_COUNTERS = [...TRAP_EMULATE_COUNTERS, 'vmm.callouts', 'vmm.direct.s', 'event.vmm.bt.translate'] as const;

export function trapEmulateStrategy(options: LabOptions = {}, images: KernelImages = GUEST_KERNEL): Strategy {
  return vmStrategy(false, options, images);
}

/**
 * `vmm-full/binary-translation`: the same VM, with the guest kernel's code run by the emulator's
 * translator with callouts for its sensitive instructions (on either lab engine: translation needs
 * the translator, whose lab cycles are the interpreter's anyway).
 */
export function binaryTranslationStrategy(options: LabOptions = {}, images: KernelImages = GUEST_KERNEL): Strategy {
  return vmStrategy(true, options, images);
}

function vmStrategy(binaryTranslation: boolean, options: LabOptions, images: KernelImages): Strategy {
  return labStrategy({
    name: binaryTranslation ? 'vmm-full/binary-translation' : 'vmm-full/trap-emulate',
    description: binaryTranslation
      ? 'the unmodified guest kernel in a VM, its code binary-translated with callouts for sensitive instructions; processes run directly; shadow page tables, trapped MMIO'
      : 'the unmodified guest kernel deprivileged in a VM: trap-and-emulate, shadow page tables, trapped MMIO, virtual SBI',
    target: 'rv32-process',
    counters: binaryTranslation ? BINARY_TRANSLATION_COUNTERS : TRAP_EMULATE_COUNTERS,
    options,
    async execute({ image, workload, size, cost, engine, profile, run }) {
      const { kernel, initrd } = await readKernelImages(images);
      const disk = await readPrivateDisk(workload.disk);
      const board = createVirtBoard({ ramSize: DEFAULT_RAM_SIZE + SHADOW_POOL_PAGES * 4096, cost: withVmmEvents(cost) });
      const hv = new Hypervisor(board, {
        vm: { kernel, initrd, bootargs: initBootargs(workload.name, image.args ?? [size]), ramSize: DEFAULT_RAM_SIZE, ...(disk === undefined ? {} : { disk }) },
        shadowPoolPages: SHADOW_POOL_PAGES,
        engine: binaryTranslation ? 'dbt' : engine,
        binaryTranslation,
        profile,
      });
      const result = await runInChunks(board, hv.engine, run);
      return { ...result, counters: { ...result.counters, ...hv.counters() } };
    },
  });
}

/** The package for the runner's list. */
export const vmmFull: StrategyPackage = {
  name: '@virtlab/vmm-full',
  strategies: (options) => [trapEmulateStrategy(options), binaryTranslationStrategy(options)],
};

import { bootQemu, createVirtBoard, type CostModel, type VirtBoard, type InitialHartState } from '@virtlab/hw-model';
import { GUEST_KERNEL, readKernelImages, readPrivateDisk, type KernelImages } from '@virtlab/lab-kit';
import { encodeJailSet } from './config-image.js';
import type { JailSet } from './model.js';
import { rootTreeArchive, type ProgramFiles } from './root-tree.js';

/** The daemon that is process 1 of a jailed boot (initrd/src/zoned.c). */
export const ZONED_BOOTARGS = 'init=/bin/zoned';

export interface JailBootOptions {
  readonly cost: CostModel;
  /** A disk image file for /dev/vda (read into memory; the file is never written). */
  readonly disk?: string;
  readonly images?: KernelImages;
}

/**
 * The lab board booting the unmodified guest kernel with the committed initrd plus the jail
 * set's archive (configuration and root trees), process 1 being the jail daemon.
 */
export async function jailBoard(set: JailSet, programs: ProgramFiles, options: JailBootOptions): Promise<{ board: VirtBoard; state: InitialHartState }> {
  const bytes = await readKernelImages(options.images ?? GUEST_KERNEL);
  const initrd = await jailInitrd(bytes.initrd, set, programs);
  const disk = await readPrivateDisk(options.disk);
  const board = createVirtBoard({ bootargs: ZONED_BOOTARGS, cost: options.cost, ...(disk === undefined ? {} : { disk }) });
  const { state } = bootQemu(board, { firmware: bytes.firmware, kernel: bytes.kernel, initrd });
  return { board, state };
}

/** The committed initrd followed by the jail set's archive: what any machine (the board, QEMU) boots. */
export async function jailInitrd(base: Uint8Array, set: JailSet, programs: ProgramFiles): Promise<Uint8Array> {
  const extra = await rootTreeArchive(set, encodeJailSet(set), programs);
  const initrd = new Uint8Array(base.length + extra.length);
  initrd.set(base, 0);
  initrd.set(extra, base.length);
  return initrd;
}

import { readFile } from 'node:fs/promises';
import { firmwareImage, guestImage } from '@virtlab/guest';
import { bootQemu, createVirtBoard, type InitialHartState, type VirtBoard, type VirtBoardOptions } from '@virtlab/hw-model';

/** The three images a kernel boot loads, by path. */
export interface KernelImages {
  readonly firmware: string;
  readonly kernel: string;
  readonly initrd: string;
}

/** The committed guest: SBI firmware, the unmodified kernel (arch/native.c) and its initrd. */
export const GUEST_KERNEL: KernelImages = {
  firmware: firmwareImage,
  kernel: guestImage('kernel/kernel.elf'),
  initrd: guestImage('kernel/initrd.cpio'),
};

/** The three images, read. */
export interface KernelImageBytes {
  readonly firmware: Uint8Array;
  readonly kernel: Uint8Array;
  readonly initrd: Uint8Array;
}

export async function readKernelImages(images: KernelImages): Promise<KernelImageBytes> {
  const [firmware, kernel, initrd] = await Promise.all([readFile(images.firmware), readFile(images.kernel), readFile(images.initrd)]);
  return { firmware, kernel, initrd };
}

/**
 * A workload's disk image, read into memory: the run's private copy (virtio-blk writes land in it),
 * so the file is never written. Undefined when there is no disk.
 */
export async function readPrivateDisk(path: string | undefined): Promise<Uint8Array | undefined> {
  return path === undefined ? undefined : new Uint8Array(await readFile(path));
}

/**
 * A board with firmware, kernel and initrd loaded the way QEMU's `virt` does (QEMU-NOTES.md), and
 * the state the hart starts from.
 */
export async function kernelBoard(images: KernelImages, options: VirtBoardOptions): Promise<{ board: VirtBoard; state: InitialHartState }> {
  const bytes = await readKernelImages(images);
  const board = createVirtBoard(options);
  const { state } = bootQemu(board, bytes);
  return { board, state };
}

/**
 * The kernel command line that runs a workload's process image as init: the kernel splits
 * `init=...` on commas into argv; the image takes its arguments (the size) after its path.
 */
export function initBootargs(workloadName: string, args: readonly string[]): string {
  return `init=${[`/bin/${workloadName}`, ...args].join(',')}`;
}

import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { WorkloadSize } from '@virtlab/strategy';

/** Root of the @virtlab/guest package (where `firmware/`, `libc/`, `workloads/`, `images/` live). */
export const guestPackageDir = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

/** Folder of the built, committed images. */
export const guestImagesDir = join(guestPackageDir, 'images');

/** The manifest written by `pnpm guests`: inputs and hashes of every image. */
export const manifestPath = join(guestImagesDir, 'manifest.json');

/** Absolute path of an image, given its path inside `images/`. */
export function guestImage(output: string): string {
  return join(guestImagesDir, output);
}

/** The M-mode SBI firmware (`qemu-system-riscv32 -M virt -bios <this> -kernel K`). */
export const firmwareImage = guestImage('firmware/fw.elf');

/** The committed reference output of a workload at a size (`workloads/<name>/expected-<size>.txt`). */
export function referencePath(name: string, size: WorkloadSize): string {
  return join(guestPackageDir, 'workloads', name, `expected-${size}.txt`);
}

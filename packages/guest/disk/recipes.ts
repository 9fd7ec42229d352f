// The disk the guest kernel sees as /dev/vda (virtio-blk): what osbench's block read measures and
// every kernel boot test attaches. Built as images/disk/vda.img so a strategy can attach the file;
// its bytes follow from the generator below, so the checksum osbench prints is known here.
import type { GeneratedRecipe, ImageRecipe } from '../src/build/recipe.js';

/** Output of the disk image inside `images/`. */
export const DISK_IMAGE_OUTPUT = 'disk/vda.img';

/** The disk behind /dev/vda: 512 KiB from a 32-bit xorshift. */
export function diskImage(): Uint8Array {
  const bytes = new Uint8Array(512 * 1024);
  let x = 0x2545f491;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

const disk: GeneratedRecipe = {
  kind: 'generated',
  output: DISK_IMAGE_OUTPUT,
  description: 'raw disk for /dev/vda (512 KiB xorshift32), read by osbench through virtio-blk',
  inputs: ['disk/recipes.ts'],
  generate: () => Promise.resolve(diskImage()),
};

export const recipes: ImageRecipe[] = [disk];

import { readFileSync } from 'node:fs';
import type { Manifest } from './build/manifest.js';
import { guestImage, manifestPath } from './paths.js';

/** One committed image as recorded in `images/manifest.json`. */
export interface GuestImageInfo {
  /** Path inside `images/`, e.g. `rv32-bare/crc32-test.elf`. */
  readonly output: string;
  /** Absolute path. */
  readonly path: string;
  readonly description: string;
  readonly bytes: number;
  readonly sha256: string;
}

function load(): GuestImageInfo[] {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  return Object.entries(manifest.images).map(([output, entry]) => ({
    output,
    path: guestImage(output),
    description: entry.description,
    bytes: entry.bytes,
    sha256: entry.sha256,
  }));
}

/** Every committed image with its size in bytes and hash. */
export const guestImages: readonly GuestImageInfo[] = load();

/** The manifest entry of an image by its path inside `images/`, if there is one. */
export function imageInfo(output: string): GuestImageInfo | undefined {
  return guestImages.find((image) => image.output === output);
}

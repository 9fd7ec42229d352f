import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guestImagesDir } from '../paths.js';
import { has } from '../test-support/peers.js';
import { buildImages } from './build-images.js';
import { readManifest } from './manifest.js';

const hasToolchain = has('clang') && has('ld.lld') && has('wasm-ld');

// A full build takes about a minute on two cores, so the test rebuilds a subset that covers every
// recipe kind and target: the firmware and its payloads, and every image of the crc32 workload.
const subset = (output: string) => output.startsWith('firmware/') || output.includes('/crc32');

describe.skipIf(!hasToolchain)('rebuilding the committed images (needs clang, ld.lld, wasm-ld)', () => {
  it('gives the same bytes as images/ for the firmware and every crc32 image', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'virtlab-rebuild-'));
    try {
      const rebuilt = await buildImages({ outDir: dir, filter: subset });
      const committed = await readManifest(join(guestImagesDir, 'manifest.json'));
      expect(Object.keys(rebuilt.images).length).toBeGreaterThanOrEqual(5);
      expect(rebuilt.toolchain.clang).toBe(committed.toolchain.clang);
      for (const output of Object.keys(rebuilt.images)) {
        const fresh = await readFile(join(dir, output));
        const kept = await readFile(join(guestImagesDir, output));
        expect(fresh.equals(kept), `images/${output} differs from a fresh build`).toBe(true);
        expect(rebuilt.images[output]).toEqual(committed.images[output]);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

if (!hasToolchain) console.warn('skipping the rebuild test: clang, ld.lld or wasm-ld is not installed');

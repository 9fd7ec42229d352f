import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestPackageDir, manifestPath } from '../paths.js';
import { allRecipes, recipeFlags, recipeInputs } from './build-images.js';
import type { Manifest } from './manifest.js';
import { findStaleImages, readManifest } from './manifest.js';

async function expectedEntries() {
  const recipes = await allRecipes();
  return new Map(recipes.map((recipe) => [recipe.output, { inputs: recipeInputs(recipe), flags: recipeFlags(recipe) }]));
}

describe('images/manifest.json', () => {
  it('matches every source and every committed image (run `pnpm guests` after changing guest C code)', async () => {
    const manifest = await readManifest(manifestPath);
    const stale = await findStaleImages(guestPackageDir, manifest, await expectedEntries());
    expect(stale.map((entry) => `images/${entry.image}: ${entry.reason}`)).toEqual([]);
  });

  it('records the clang version and a hash for every input', async () => {
    const manifest = await readManifest(manifestPath);
    expect(manifest.toolchain.clang).toMatch(/clang version \d+\./);
    for (const entry of Object.values(manifest.images)) {
      expect(entry.inputs.length).toBeGreaterThan(0);
      for (const input of entry.inputs) expect(input.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  describe('detects a source changed without a rebuild', () => {
    // A copy of the sources the first workload image depends on, with one byte changed.
    let dir: string;
    let manifest: Manifest;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'virtlab-stale-'));
      manifest = await readManifest(manifestPath);
      for (const entry of await readdir(guestPackageDir, { withFileTypes: true })) {
        if (!entry.isDirectory() || ['node_modules', 'dist', 'src'].includes(entry.name)) continue;
        await cp(join(guestPackageDir, entry.name), join(dir, entry.name), { recursive: true });
      }
    });
    afterAll(async () => rm(dir, { recursive: true, force: true }));

    // Entries that are stale already (another component's sources being edited) are not this test's.
    const newlyStale = async () => {
      const before = new Set((await findStaleImages(guestPackageDir, manifest, await expectedEntries())).map((e) => JSON.stringify(e)));
      return (await findStaleImages(dir, manifest, await expectedEntries())).filter((e) => !before.has(JSON.stringify(e)));
    };

    it('names the image and the changed input', async () => {
      const source = join(dir, 'libc/src/string.c');
      await writeFile(source, `${await readFile(source, 'utf8')}\n/* edited */\n`);
      const stale = await newlyStale();
      expect(stale.length).toBeGreaterThan(0);
      expect(stale.every((entry) => entry.reason === 'input libc/src/string.c changed since the image was built')).toBe(
        true,
      );
      expect(stale.map((entry) => entry.image)).toContain('rv32-bare/crc32-test.elf');
    });

    it('names an image whose bytes were replaced', async () => {
      await writeFile(join(dir, 'images/rv32-bare/crc32-test.elf'), 'not an elf');
      const stale = await newlyStale();
      expect(stale).toContainEqual({ image: 'rv32-bare/crc32-test.elf', reason: 'image bytes differ from the manifest hash' });
    });
  });

  it('reports a recipe that has no manifest entry', async () => {
    const manifest = await readManifest(manifestPath);
    const expected = await expectedEntries();
    expected.set('rv32-bare/new-workload-test.elf', { inputs: [], flags: [] });
    const stale = await findStaleImages(guestPackageDir, manifest, expected);
    expect(stale).toContainEqual({ image: 'rv32-bare/new-workload-test.elf', reason: 'has a recipe but is not in the manifest' });
  });
});

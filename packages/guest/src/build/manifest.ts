import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One input of an image with its content hash. */
export interface ManifestInput {
  readonly path: string;
  readonly sha256: string;
}

export interface ManifestImage {
  readonly description: string;
  readonly kind: 'clang' | 'generated';
  /** Flags of a clang recipe (empty for generated images). */
  readonly flags: readonly string[];
  /** Sources in link order, then the other inputs sorted; every one hashed. */
  readonly inputs: readonly ManifestInput[];
  readonly sha256: string;
  readonly bytes: number;
}

/** `images/manifest.json`: what every committed image was built from, and with which clang. */
export interface Manifest {
  readonly toolchain: { readonly clang: string };
  readonly images: Readonly<Record<string, ManifestImage>>;
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function hashFile(path: string): Promise<string> {
  return sha256(await readFile(path));
}

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

export async function readManifest(path: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ManifestError(`manifest ${path} cannot be read (run \`pnpm guests\`)`, { cause });
  }
  const parsed = JSON.parse(text) as Partial<Manifest>;
  if (typeof parsed.toolchain?.clang !== 'string' || typeof parsed.images !== 'object' || parsed.images === null) {
    throw new ManifestError(`manifest ${path} lacks toolchain.clang or images`);
  }
  return parsed as Manifest;
}

/** A disagreement between the manifest, the sources and the committed images. */
export interface StaleEntry {
  readonly image: string;
  readonly reason: string;
}

/**
 * Everything in `packageDir` that no longer matches the manifest: changed or missing inputs,
 * images whose bytes differ from the recorded hash, recipes without a manifest entry and
 * manifest entries without a recipe. Needs no compiler.
 */
export async function findStaleImages(
  packageDir: string,
  manifest: Manifest,
  expected: ReadonlyMap<string, { readonly inputs: readonly string[]; readonly flags: readonly string[] }>,
): Promise<StaleEntry[]> {
  const stale: StaleEntry[] = [];
  for (const [image, recipe] of expected) {
    const entry = manifest.images[image];
    if (entry === undefined) {
      stale.push({ image, reason: 'has a recipe but is not in the manifest' });
      continue;
    }
    const recorded = entry.inputs.map((input) => input.path);
    if (recorded.join('\n') !== recipe.inputs.join('\n')) {
      stale.push({ image, reason: `inputs changed: recipe has [${recipe.inputs.join(', ')}]` });
    }
    if (entry.flags.join(' ') !== recipe.flags.join(' ')) {
      stale.push({ image, reason: `flags changed: recipe has '${recipe.flags.join(' ')}'` });
    }
    for (const input of entry.inputs) {
      let hash: string;
      try {
        hash = await hashFile(join(packageDir, input.path));
      } catch {
        stale.push({ image, reason: `input ${input.path} is missing` });
        continue;
      }
      if (hash !== input.sha256) stale.push({ image, reason: `input ${input.path} changed since the image was built` });
    }
    try {
      const hash = await hashFile(join(packageDir, 'images', image));
      if (hash !== entry.sha256) stale.push({ image, reason: 'image bytes differ from the manifest hash' });
    } catch {
      stale.push({ image, reason: 'image file is missing' });
    }
  }
  for (const image of Object.keys(manifest.images)) {
    if (!expected.has(image)) stale.push({ image, reason: 'is in the manifest but no recipe makes it' });
  }
  return stale;
}

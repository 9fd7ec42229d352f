import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { guestPackageDir } from '../paths.js';
import { firmwareRecipes } from './firmware-recipes.js';
import type { Manifest, ManifestImage } from './manifest.js';
import { readManifest, sha256 } from './manifest.js';
import type { ImageRecipe } from './recipe.js';
import { workloadRecipes } from './workload-recipes.js';

const run = promisify(execFile);

export class BuildError extends Error {
  override readonly name = 'BuildError';
}

/**
 * Recipes contributed by component folders: every `<folder>/recipes.ts` directly under the
 * package root that exports `recipes: ImageRecipe[]` (or a function returning them). This is
 * how the kernel adds its images without touching this file.
 */
export async function loadComponentRecipes(packageDir = guestPackageDir): Promise<ImageRecipe[]> {
  const recipes: ImageRecipe[] = [];
  const folders = (await readdir(packageDir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory() && !['node_modules', 'src', 'images', 'dist'].includes(entry.name))
    .map((entry) => entry.name)
    .sort();
  for (const folder of folders) {
    const file = join(packageDir, folder, 'recipes.ts');
    if (!existsSync(file)) continue;
    const module = (await import(pathToFileURL(file).href)) as { recipes?: unknown };
    const exported = typeof module.recipes === 'function' ? (module.recipes as () => unknown)() : module.recipes;
    if (!Array.isArray(exported)) throw new BuildError(`${folder}/recipes.ts must export 'recipes' (an array)`);
    recipes.push(...(exported as ImageRecipe[]));
  }
  return recipes;
}

/** Every image recipe, in build order: firmware, workloads, then component folders. */
export async function allRecipes(): Promise<ImageRecipe[]> {
  const recipes = [...firmwareRecipes(), ...workloadRecipes(), ...(await loadComponentRecipes())];
  const seen = new Set<string>();
  for (const recipe of recipes) {
    if (seen.has(recipe.output)) throw new BuildError(`two recipes make images/${recipe.output}`);
    seen.add(recipe.output);
  }
  return recipes;
}

/** The inputs a recipe's manifest entry records, in order: sources, then other inputs sorted. */
export function recipeInputs(recipe: ImageRecipe): string[] {
  if (recipe.kind === 'generated') return [...new Set(recipe.inputs)].sort();
  const sources = [...recipe.sources];
  const others = [...new Set(recipe.inputs)].filter((path) => !sources.includes(path)).sort();
  return [...sources, ...others];
}

export function recipeFlags(recipe: ImageRecipe): readonly string[] {
  return recipe.kind === 'clang' ? recipe.flags : [];
}

/** The first line of `clang --version`, recorded in the manifest. */
export async function clangVersion(): Promise<string> {
  try {
    const { stdout } = await run('clang', ['--version']);
    return stdout.split('\n')[0]?.trim() ?? 'unknown';
  } catch (cause) {
    throw new BuildError('clang is not installed (Debian: apt-get install clang lld); the committed images need no rebuild', {
      cause,
    });
  }
}

export interface BuildOptions {
  /** Where images go (default: the package's `images/`). */
  readonly outDir: string;
  /** Build only recipes whose output matches (the manifest then covers only those). */
  readonly filter?: (output: string) => boolean;
  /** Concurrent compiler processes. */
  readonly jobs?: number;
  readonly log?: (line: string) => void;
  /** Keep the entries of an existing `outDir/manifest.json` for recipes not rebuilt now. */
  readonly merge?: boolean;
}

async function buildOne(recipe: ImageRecipe, outDir: string): Promise<Uint8Array> {
  const target = join(outDir, recipe.output);
  await mkdir(dirname(target), { recursive: true });
  if (recipe.kind === 'generated') {
    const bytes = await recipe.generate({
      read: (path) => readFile(path.startsWith('images/') ? join(outDir, path.slice(7)) : join(guestPackageDir, path)),
    });
    await writeFile(target, bytes);
    return bytes;
  }
  // Relative paths and the package root as working directory keep host paths out of the output.
  try {
    await run('clang', [...recipe.flags, '-o', target, ...recipe.sources], { cwd: guestPackageDir });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new BuildError(`clang failed for images/${recipe.output}:\n${stderr}`);
  }
  return readFile(target);
}

/** Builds the recipes into `outDir` and writes `outDir/manifest.json`; returns the manifest. */
export async function buildImages(options: BuildOptions): Promise<Manifest> {
  const { outDir, filter = () => true, jobs = 2, log = () => undefined, merge = false } = options;
  const every = await allRecipes();
  const recipes = every.filter((recipe) => filter(recipe.output));
  const clang = await clangVersion();
  const images: Record<string, ManifestImage> = {};
  if (merge && existsSync(join(outDir, 'manifest.json'))) {
    const previous = await readManifest(join(outDir, 'manifest.json'));
    if (previous.toolchain.clang !== clang) {
      throw new BuildError(`images were built with ${previous.toolchain.clang}, this is ${clang}: rebuild all`);
    }
    const known = new Set(every.map((recipe) => recipe.output));
    for (const [output, entry] of Object.entries(previous.images)) if (known.has(output)) images[output] = entry;
  }
  // Generated recipes may read earlier outputs, so they run after all compiled images.
  const compiled = recipes.filter((recipe) => recipe.kind === 'clang');
  const generated = recipes.filter((recipe) => recipe.kind === 'generated');
  const record = async (recipe: ImageRecipe, bytes: Uint8Array) => {
    const inputs = [];
    for (const path of recipeInputs(recipe)) {
      const file = path.startsWith('images/') ? join(outDir, path.slice(7)) : join(guestPackageDir, path);
      inputs.push({ path, sha256: sha256(await readFile(file)) });
    }
    images[recipe.output] = {
      description: recipe.description,
      kind: recipe.kind,
      flags: recipeFlags(recipe),
      inputs,
      sha256: sha256(bytes),
      bytes: bytes.length,
    };
    log(`${recipe.output.padEnd(40)} ${String(bytes.length).padStart(8)} bytes  ${recipe.description}`);
  };
  let next = 0;
  const worker = async () => {
    while (next < compiled.length) {
      const recipe = compiled[next++];
      if (recipe === undefined) break;
      await record(recipe, await buildOne(recipe, outDir));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  for (const recipe of generated) await record(recipe, await buildOne(recipe, outDir));
  const sorted = Object.fromEntries(Object.entries(images).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const manifest: Manifest = { toolchain: { clang }, images: sorted };
  await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Deletes files in `outDir` that no recipe produced (images of removed workloads). */
export async function pruneImages(outDir: string, manifest: Manifest): Promise<string[]> {
  const keep = new Set([...Object.keys(manifest.images), 'manifest.json']);
  const removed: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (!keep.has(relative(outDir, path))) {
        await rm(path);
        removed.push(relative(outDir, path));
      }
    }
  };
  await walk(outDir);
  return removed;
}

/**
 * How an image is made. The build runs a list of recipes in order; each names its output
 * (relative to `images/`), its inputs (relative to the package root) and how to make it. A
 * component folder adds images by exporting `recipes` from its own `recipes.ts` (see
 * `loadComponentRecipes`), so the kernel or a new workload needs no change to the build.
 */
export interface ClangRecipe {
  readonly kind: 'clang';
  /** Output path inside `images/`, e.g. `rv32-bare/crc32-test.elf`. */
  readonly output: string;
  /** One line for the manifest and the build log. */
  readonly description: string;
  /** Translation units and assembly files, compiled and linked in one clang invocation. */
  readonly sources: readonly string[];
  /** Every other file the output depends on: headers, linker scripts. */
  readonly inputs: readonly string[];
  /** Every flag, in order; the build adds only `-o <output>` and the sources. */
  readonly flags: readonly string[];
}

/** Context a generated recipe reads its inputs through (package files or earlier outputs). */
export interface GenerateContext {
  /** Contents of a package file (`libc/...`) or an earlier image (`images/...`). */
  read(path: string): Promise<Uint8Array>;
}

/** An image produced by code rather than a compiler, e.g. an initrd archive of other images. */
export interface GeneratedRecipe {
  readonly kind: 'generated';
  readonly output: string;
  readonly description: string;
  /** Package files or `images/...` outputs of earlier recipes. */
  readonly inputs: readonly string[];
  generate(context: GenerateContext): Promise<Uint8Array>;
}

export type ImageRecipe = ClangRecipe | GeneratedRecipe;

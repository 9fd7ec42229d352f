import type { WorkloadSize } from '@virtlab/strategy';
import { WORKLOAD_SIZES } from '@virtlab/strategy';
import { WORKLOAD_SPECS } from '../workload-specs.js';
import type { ClangRecipe } from './recipe.js';
import type { ClangTarget } from './targets.js';
import { TARGETS, libcHeaders } from './targets.js';

/** Path inside `images/` of a workload's image: per size where the size is compiled in. */
export function workloadImageOutput(name: string, target: ClangTarget, size?: WorkloadSize): string {
  const { extension } = TARGETS[target];
  return size === undefined ? `${target}/${name}.${extension}` : `${target}/${name}-${size}.${extension}`;
}

/** The C file of a workload, relative to the package root (also the `host-c` image). */
export function workloadSource(name: string): string {
  return `workloads/${name}/${name}.c`;
}

/** Builds a program of `target` from its own sources plus the target's libc. */
export function programRecipe(
  target: ClangTarget,
  output: string,
  description: string,
  sources: readonly string[],
  extra: { defines?: readonly string[]; inputs?: readonly string[] } = {},
): ClangRecipe {
  const spec = TARGETS[target];
  return {
    kind: 'clang',
    output,
    description,
    sources: [...sources, ...spec.libc],
    inputs: [
      ...libcHeaders(),
      ...(spec.extraInputs ?? []),
      ...(extra.inputs ?? []),
      ...(spec.linkerScript ? [spec.linkerScript] : []),
    ],
    flags: [...spec.flags, ...(extra.defines ?? []).map((d) => `-D${d}`)],
  };
}

const sizeDefine = (size: WorkloadSize) => `WL_SIZE_${size.toUpperCase()}`;

/** Images of the compute suite: bare and wasm per size, one process image taking the size as argv[1]. */
export function workloadRecipes(): ClangRecipe[] {
  const recipes: ClangRecipe[] = [];
  for (const { name } of WORKLOAD_SPECS) {
    const sources = [workloadSource(name)];
    const inputs = ['workloads/common/workload.h'];
    for (const size of WORKLOAD_SIZES) {
      for (const target of ['rv32-bare', 'wasm32-wasi'] as const) {
        recipes.push(
          programRecipe(target, workloadImageOutput(name, target, size), `${name} (${size}) for ${target}`, sources, {
            defines: [sizeDefine(size)],
            inputs,
          }),
        );
      }
    }
    recipes.push(
      programRecipe('rv32-process', workloadImageOutput(name, 'rv32-process'), `${name} for rv32-process`, sources, {
        inputs,
      }),
    );
  }
  return recipes;
}

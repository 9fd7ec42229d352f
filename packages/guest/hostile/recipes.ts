// Build recipes of the hostile S-mode guests (picked up by the guest build's loadComponentRecipes):
// one image per attack, linked at 0x8040_0000 where a kernel is entered, for vmm-full's
// resource-control tests.
import type { ClangRecipe } from '../src/build/recipe.js';
import { RV32_FLAGS } from '../src/build/targets.js';
import { HOSTILE_ATTACKS } from '../src/hostile.js';

export const recipes: ClangRecipe[] = HOSTILE_ATTACKS.map((attack) => ({
  kind: 'clang',
  output: `hostile/${attack}.elf`,
  description: `hostile S-mode guest: ${attack} (vmm-full resource control)`,
  sources: ['hostile/start.S', 'hostile/hostile.c'],
  inputs: ['firmware/sbi.h', 'hostile/link.ld', 'libc/backend/crt.h'],
  flags: [...RV32_FLAGS, '-O2', '-std=c11', '-Wall', '-Wextra', '-Werror', '-fno-builtin', '-fno-ident', '-nostdlibinc', '-T', 'hostile/link.ld', `-DATTACK_${attack.toUpperCase()}`],
}));

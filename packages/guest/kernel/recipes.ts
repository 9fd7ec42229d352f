// Build recipes of the guest kernel (picked up by the guest build's loadComponentRecipes):
// the kernel ELF, linked at 0x8040_0000 and entered in S-mode by the firmware.
import type { ClangRecipe } from '../src/build/recipe.js';
import { RV32_FLAGS } from '../src/build/targets.js';

/** The kernel's C files, in link order (arch/native.c first: it holds the boot entry). */
export const KERNEL_SOURCES: readonly string[] = [
  'kernel/arch/native.c',
  'kernel/main.c',
  'kernel/fdt.c',
  'kernel/lib.c',
  'kernel/mm.c',
  'kernel/proc.c',
  'kernel/jail.c',
  'kernel/fs.c',
  'kernel/virtio.c',
  'kernel/trap.c',
];

export const KERNEL_HEADERS: readonly string[] = [
  'kernel/arch/arch.h',
  'kernel/arch/context-switch.h',
  'kernel/arch/time-csr.h',
  'kernel/errno.h',
  'kernel/jail-abi.h',
  'kernel/kernel.h',
  'kernel/types.h',
];

/**
 * The para-virtualized kernel (vmm-para): the same sources with arch/para.c for arch/native.c
 * and the block ring's front end (arch/para-blk.c) for the virtio-blk driver.
 */
export const PARA_KERNEL_SOURCES: readonly string[] = KERNEL_SOURCES.map((s) =>
  s === 'kernel/arch/native.c' ? 'kernel/arch/para.c' : s === 'kernel/virtio.c' ? 'kernel/arch/para-blk.c' : s,
);

/** Flags of every kernel object: freestanding, no builtins (memset is ours), reproducible. */
export const KERNEL_FLAGS: readonly string[] = [
  ...RV32_FLAGS,
  '-O2',
  '-std=c11',
  '-Wall',
  '-Wextra',
  '-Werror',
  '-fno-builtin',
  '-fno-ident',
  '-nostdlibinc',
  '-T',
  'kernel/link.ld',
];

export const recipes: ClangRecipe[] = [
  {
    kind: 'clang',
    output: 'kernel/kernel.elf',
    description: 'guest kernel (S-mode, native arch layer)',
    sources: KERNEL_SOURCES,
    inputs: [...KERNEL_HEADERS, 'kernel/link.ld'],
    flags: KERNEL_FLAGS,
  },
  {
    kind: 'clang',
    output: 'kernel/kernel-para.elf',
    description: 'guest kernel (U-mode under vmm-para, para-virtualized arch layer)',
    sources: PARA_KERNEL_SOURCES,
    inputs: [...KERNEL_HEADERS, 'kernel/arch/para-abi.h', 'kernel/link.ld'],
    flags: [...KERNEL_FLAGS, '-DARCH_PARA'],
  },
];

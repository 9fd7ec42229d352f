// Build recipes of the initrd: the kernel's own programs (shell, osbench, errtest, true) as
// rv32-process images, and the cpio archive that holds them with the compute suite's images.
import type { ClangRecipe, GeneratedRecipe, ImageRecipe } from '../src/build/recipe.js';
import { programRecipe, workloadImageOutput } from '../src/build/workload-recipes.js';
import { writeCpio, type CpioEntry } from './cpio.js';
import { WORKLOAD_SPECS } from '../src/workload-specs.js';

/** Programs written here, each `initrd/src/<name>.c`, installed as `/bin/<name>`. */
export const INITRD_PROGRAMS: readonly string[] = ['sh', 'osbench', 'errtest', 'fscheck', 'fuzz', 'memhog', 'true'];

/**
 * Programs of the jails (`initrd/src/<name>.c`), built like the others but not put into the
 * archive: @virtlab/os-containers adds them, with its configuration, in a second archive, so the
 * kernel's own boots copy nothing they do not run.
 */
export const JAIL_PROGRAMS: readonly string[] = ['zoned', 'jattack'];

/** Plain files copied into `/bin` as they are (`notelf` is a script: exec gives ENOEXEC). */
export const INITRD_FILES: readonly string[] = ['notelf'];

const programOutput = (name: string) => `kernel/bin/${name}.elf`;

const programs: ClangRecipe[] = [...INITRD_PROGRAMS, ...JAIL_PROGRAMS].map((name) =>
  programRecipe('rv32-process', programOutput(name), `initrd program /bin/${name}`, [`initrd/src/${name}.c`], {
    inputs: ['initrd/src/sys.h', 'initrd/src/jail.h', 'kernel/jail-abi.h'],
  }),
);

/** Files of the archive: image or package path, and where it goes. */
function initrdContents(): { from: string; to: string }[] {
  return [
    ...INITRD_PROGRAMS.map((name) => ({ from: `images/${programOutput(name)}`, to: `bin/${name}` })),
    ...INITRD_FILES.map((name) => ({ from: `initrd/files/${name}`, to: `bin/${name}` })),
    ...WORKLOAD_SPECS.map(({ name }) => ({ from: `images/${workloadImageOutput(name, 'rv32-process')}`, to: `bin/${name}` })),
  ].sort((a, b) => (a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
}

const initrd: GeneratedRecipe = {
  kind: 'generated',
  output: 'kernel/initrd.cpio',
  description: 'initrd (cpio newc): /bin with the compute suite, osbench, errtest, sh',
  inputs: ['initrd/recipes.ts', 'initrd/cpio.ts', ...initrdContents().map(({ from }) => from)],
  async generate(context) {
    const entries: CpioEntry[] = [{ path: 'bin' }];
    for (const { from, to } of initrdContents()) entries.push({ path: to, data: await context.read(from) });
    return writeCpio(entries);
  },
};

export const recipes: ImageRecipe[] = [...programs, initrd];

// Build recipes of the initrd: the kernel's own programs (shell, osbench, errtest, true) as
// rv32-process images, and the cpio archive that holds them with the compute suite's images.
import type { ClangRecipe, GeneratedRecipe, ImageRecipe } from '../src/build/recipe.js';
import { programRecipe, workloadImageOutput } from '../src/build/workload-recipes.js';
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

/** One entry of a cpio archive: a directory or a regular file. */
export interface CpioEntry {
  readonly path: string;
  readonly data?: Uint8Array;
}

const hex8 = (value: number) => value.toString(16).padStart(8, '0');

/**
 * A cpio archive in the "newc" format (070701, as Linux's initramfs reads it): 110-byte ASCII
 * headers, names and data padded to 4 bytes, a TRAILER!!! entry. Reproducible: inode numbers
 * count up from 1, mtimes are 0, owners root, modes 0755 / 0644.
 */
export function writeCpio(entries: readonly CpioEntry[]): Uint8Array {
  const chunks: Buffer[] = [];
  let size = 0;
  const push = (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    const pad = (4 - (size % 4)) % 4;
    if (pad) {
      chunks.push(Buffer.alloc(pad));
      size += pad;
    }
  };
  const add = (name: string, mode: number, data: Uint8Array, ino: number) => {
    const fields = [ino, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, name.length + 1, 0];
    push(Buffer.concat([Buffer.from(`070701${fields.map(hex8).join('')}${name}\0`, 'latin1')]));
    if (data.length) push(Buffer.from(data));
  };
  entries.forEach((entry, index) => {
    const mode = entry.data ? 0o100755 : 0o040755;
    add(entry.path.replace(/^\/+/, ''), mode, entry.data ?? new Uint8Array(0), index + 1);
  });
  add('TRAILER!!!', 0, new Uint8Array(0), 0);
  return new Uint8Array(Buffer.concat(chunks));
}

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
  inputs: ['initrd/recipes.ts', ...initrdContents().map(({ from }) => from)],
  async generate(context) {
    const entries: CpioEntry[] = [{ path: 'bin' }];
    for (const { from, to } of initrdContents()) entries.push({ path: to, data: await context.read(from) });
    return writeCpio(entries);
  },
};

export const recipes: ImageRecipe[] = [...programs, initrd];

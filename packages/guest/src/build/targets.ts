import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { guestPackageDir } from '../paths.js';

/** Guest targets built with clang; `host-c` is compiled by the host's `cc` when it runs. */
export type ClangTarget = 'rv32-bare' | 'rv32-process' | 'wasm32-wasi';

/** Code-generation flags shared by every RV32 image (QEMU-NOTES.md, "Build flags"). */
export const RV32_FLAGS: readonly string[] = [
  '--target=riscv32-unknown-elf',
  '-march=rv32ima',
  '-mabi=ilp32',
  '-mno-relax',
  '-mcmodel=medany',
  '-nostdlib',
  '-ffreestanding',
  '-fuse-ld=lld',
  '-static',
  '-Wl,--build-id=none',
];

/** Flags that keep builds reproducible and free of host paths. */
const COMMON_FLAGS: readonly string[] = [
  '-O2',
  '-std=c11',
  '-Wall',
  '-Wextra',
  '-fno-ident',
  '-nostdlibinc',
  '-isystem',
  'libc/include',
];

const LIBC_COMMON = ['libc/src/printf.c', 'libc/src/string.c', 'libc/src/stdlib.c', 'libc/src/malloc.c'];

interface TargetSpec {
  readonly flags: readonly string[];
  /** libc and backend sources linked into every program of the target. */
  readonly libc: readonly string[];
  readonly linkerScript?: string;
  /** Headers of the backend's own sources. */
  readonly extraInputs?: readonly string[];
  readonly extension: string;
}

export const TARGETS: Readonly<Record<ClangTarget, TargetSpec>> = {
  'rv32-bare': {
    flags: [...RV32_FLAGS, ...COMMON_FLAGS, '-T', 'libc/backend/bare.ld'],
    libc: ['libc/backend/bare-start.S', 'libc/backend/bare.c', 'libc/src/int64.c', ...LIBC_COMMON],
    linkerScript: 'libc/backend/bare.ld',
    extraInputs: ['libc/backend/crt.h'],
    extension: 'elf',
  },
  'rv32-process': {
    flags: [...RV32_FLAGS, ...COMMON_FLAGS, '-T', 'libc/backend/linux.ld'],
    libc: ['libc/backend/linux-start.S', 'libc/backend/linux.c', 'libc/src/int64.c', ...LIBC_COMMON],
    linkerScript: 'libc/backend/linux.ld',
    extension: 'elf',
  },
  'wasm32-wasi': {
    flags: [
      '--target=wasm32',
      '-nostdlib',
      '-ffreestanding',
      ...COMMON_FLAGS,
      '-Wl,--no-entry',
      '-Wl,--export=_start',
      '-Wl,-z,stack-size=1048576',
    ],
    libc: ['libc/backend/wasi.c', ...LIBC_COMMON],
    extension: 'wasm',
  },
};

/** Every file under a package folder (relative paths, sorted), optionally by extension. */
export function filesUnder(dir: string, extension?: string): string[] {
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const name of readdirSync(join(guestPackageDir, relative)).sort()) {
      const path = `${relative}/${name}`;
      if (statSync(join(guestPackageDir, path)).isDirectory()) walk(path);
      else if (extension === undefined || name.endsWith(extension)) found.push(path);
    }
  };
  walk(dir);
  return found;
}

/** Headers every libc-linked program may include. */
export function libcHeaders(): string[] {
  return [...filesUnder('libc/include'), ...filesUnder('libc/src', '.h')];
}

import { PAYLOAD_EXIT_STATUS } from '../firmware.js';
import type { ClangRecipe } from './recipe.js';
import { RV32_FLAGS } from './targets.js';

const FLAGS = [...RV32_FLAGS, '-O2', '-std=gnu11', '-Wall', '-Wextra', '-Werror', '-fno-ident', '-nostdlibinc'];

function payload(output: string, description: string, defines: readonly string[]): ClangRecipe {
  return {
    kind: 'clang',
    output,
    description,
    sources: ['firmware/payload/start.S', 'firmware/payload/sbi-probe.c'],
    inputs: ['firmware/sbi.h', 'firmware/payload/link.ld', 'libc/backend/crt.h'],
    flags: [...FLAGS, '-T', 'firmware/payload/link.ld', ...defines.map((d) => `-D${d}`)],
  };
}

/** The SBI firmware and the S-mode payloads that test it. */
export function firmwareRecipes(): ClangRecipe[] {
  return [
    {
      kind: 'clang',
      output: 'firmware/fw.elf',
      description: 'M-mode SBI firmware (Base, TIME, SRST, DBCN, legacy console)',
      sources: ['firmware/start.S', 'firmware/sbi.c'],
      inputs: ['firmware/sbi.h', 'firmware/link.ld'],
      flags: [...FLAGS, '-T', 'firmware/link.ld'],
    },
    payload('firmware/sbi-probe.elf', 'S-mode SBI probe payload, SRST shutdown with status 0', []),
    payload('firmware/sbi-exit.elf', `S-mode SBI probe payload, SRST shutdown with status ${PAYLOAD_EXIT_STATUS}`, [
      `EXIT_STATUS=${PAYLOAD_EXIT_STATUS}`,
    ]),
    payload('firmware/sbi-legacy-shutdown.elf', 'S-mode SBI probe payload, legacy shutdown', ['LEGACY_SHUTDOWN']),
    payload('firmware/sbi-reboot.elf', 'S-mode SBI probe payload, SRST cold reboot', ['REBOOT']),
  ];
}

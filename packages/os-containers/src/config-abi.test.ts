import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guestPackageDir } from '@virtlab/guest';
import { describe, expect, it } from 'vitest';
import { JC_LAYOUT, JC_MAGIC, JC_VERSION } from './config-image.js';
import { ALLOW_FLAGS, MACHINE } from './model.js';

// The TypeScript writer of /etc/jails.bin and the C reader (initrd/src/jail.h, kernel/jail-abi.h)
// are one ABI: clang checks every size and offset this package assumes, for the guest's target.
const clang = (() => {
  try {
    execFileSync('clang', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!clang)('the configuration ABI against the C headers (skipped: clang is not installed)', () => {
  it('has the sizes, offsets and constants of initrd/src/jail.h for riscv32', () => {
    const checks = [
      `sizeof(struct jc_header) == ${JC_LAYOUT.header}`,
      `sizeof(struct jail_params) == ${JC_LAYOUT.params}`,
      `sizeof(struct jc_jail) == ${JC_LAYOUT.jail}`,
      `sizeof(struct jc_run) == ${JC_LAYOUT.run}`,
      `offsetof(struct jail_params, path) == ${JC_LAYOUT.path}`,
      `offsetof(struct jail_params, hostname) == ${JC_LAYOUT.hostname}`,
      `offsetof(struct jail_params, allow) == ${JC_LAYOUT.allow}`,
      `offsetof(struct jail_params, cpu_pct) == ${JC_LAYOUT.cpuPct}`,
      `offsetof(struct jc_jail, parent) == ${JC_LAYOUT.parent}`,
      `offsetof(struct jc_run, argv) == ${JC_LAYOUT.argv}`,
      `JC_MAGIC == ${JC_MAGIC}u`,
      `JC_VERSION == ${JC_VERSION}u`,
      `JC_MAX_JAILS == ${MACHINE.jails}`,
      `JC_MAX_RUNS == ${MACHINE.runs}`,
      `JC_ARGS == ${MACHINE.args}`,
      `JC_ARG_LEN == ${MACHINE.argLength + 1}`,
      `JAIL_NAME_LEN == ${MACHINE.nameLength + 1}`,
      `JAIL_PATH_LEN == ${MACHINE.pathLength + 1}`,
      `JAIL_HOST_LEN == ${MACHINE.hostnameLength + 1}`,
      `JAIL_ALLOW_SET_HOSTNAME == ${ALLOW_FLAGS.set_hostname}u`,
      `JAIL_ALLOW_RAW_IO == ${ALLOW_FLAGS.raw_io}u`,
    ];
    const guest = guestPackageDir;
    const dir = mkdtempSync(join(tmpdir(), 'virtlab-jc-'));
    try {
      const file = join(dir, 'check.c');
      writeFileSync(file, `#include <stddef.h>\n#include "jail.h"\n${checks.map((c, i) => `_Static_assert(${c}, "check ${i}: ${c}");`).join('\n')}\n`);
      const run = () =>
        execFileSync('clang', ['--target=riscv32-unknown-elf', '-march=rv32ima', '-mabi=ilp32', '-ffreestanding', '-nostdlibinc', '-isystem', join(guest, 'libc/include'), '-I', join(guest, 'initrd/src'), '-fsyntax-only', file], { stdio: 'pipe' });
      expect(run).not.toThrow();
      // And the check can fail: a wrong size is caught.
      writeFileSync(file, `#include <stddef.h>\n#include "jail.h"\n_Static_assert(sizeof(struct jc_run) == ${JC_LAYOUT.run + 4}, "wrong");\n`);
      expect(run).toThrow(/wrong/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

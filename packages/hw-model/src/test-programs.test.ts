import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROGRAMS, diskImage, imagePath, qemuArgs, qemuOutputPath, sourceHash } from '../test-programs/programs.js';
import { parseElf } from './elf.js';
import { has } from './test-support/tools.js';

const manifest = JSON.parse(readFileSync(new URL('../test-programs/images/manifest.json', import.meta.url), 'utf8')) as {
  programs: Record<string, { sha256: string }>;
};

const dir = mkdtempSync(join(tmpdir(), 'virtlab-test-programs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the committed test-program images', () => {
  it.each(PROGRAMS.map((p) => [p.name, p] as const))('%s: image built from the current sources (rebuild: pnpm --filter @virtlab/hw-model test-programs)', (_name, program) => {
    expect(manifest.programs[program.name]?.sha256).toBe(sourceHash(program));
    const image = parseElf(readFileSync(imagePath(program.name)));
    expect(image.entry).toBe(program.kind === 'kernel' ? 0x8040_0000 : 0x8000_0000);
  });

  it.skipIf(!has('qemu-system-riscv32')).each(PROGRAMS.filter((p) => p.differential).map((p) => [p.name, p] as const))(
    '%s: QEMU still prints the recorded reference output and exit code (skipped: qemu-system-riscv32 absent)',
    (_name, program) => {
      const disk = join(dir, `${program.name}.img`);
      writeFileSync(disk, diskImage());
      const r = spawnSync('qemu-system-riscv32', qemuArgs(program.name, disk), { timeout: 30_000, input: program.input ?? '' });
      expect(r.status).toBe(program.exitCode);
      expect(r.stdout.toString('latin1')).toBe(readFileSync(qemuOutputPath(program.name)).toString('latin1'));
    },
  );
});

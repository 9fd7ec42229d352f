import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROGRAMS, imagePath, qemuOutputPath, runOnQemu, sourceHash } from '../test-programs/programs.js';
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
    { timeout: 90_000 },
    async (_name, program) => {
      const r = await runOnQemu(program, dir);
      expect(r.status).toBe(program.exitCode);
      expect(r.output).toBe(readFileSync(qemuOutputPath(program.name), 'latin1'));
    },
  );
});

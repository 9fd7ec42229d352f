import { workloads } from '@virtlab/guest';
import { imageFor, outputsEquivalent } from '@virtlab/strategy';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The README's example, run as a user would: `pnpm pack` of the package (and of its one runtime
// dependency, the zero-dependency @virtlab/strategy contract), installed with npm into an empty
// project outside the workspace, without the network (`--offline`: every package is a local tarball).
const here = fileURLToPath(new URL('..', import.meta.url));
const strategyDir = join(here, '..', 'strategy');
const npm = spawnSync('npm', ['--version'], { encoding: 'utf8' });
const pnpm = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
const tools = npm.status === 0 && pnpm.status === 0;
if (!tools) console.warn('readme.test.ts: skipped, it needs npm and pnpm on PATH');

/** The first ```ts block of the README. */
function readmeExample(): string {
  const match = /```ts\n([\s\S]*?)```/.exec(readFileSync(join(here, 'README.md'), 'utf8'));
  if (match?.[1] === undefined) throw new Error('README.md has no ```ts example');
  return match[1];
}

describe.skipIf(!tools)('the README example, from the packed package', () => {
  it('installs into an empty npm project and prints the workload output', { timeout: 180_000 }, () => {
    const w = workloads.find((x) => x.name === 'crc32');
    const image = w === undefined ? undefined : imageFor(w, 'wasm32-wasi', 'test');
    if (w === undefined || image === undefined) throw new Error('no wasm32-wasi test image of crc32');
    const dir = mkdtempSync(join(tmpdir(), 'lang-vm-readme-'));
    try {
      const tarballs = join(dir, 'tarballs');
      for (const pkg of [strategyDir, here]) {
        execFileSync('pnpm', ['build'], { cwd: pkg, stdio: 'pipe' });
        execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: pkg, stdio: 'pipe' });
      }
      const project = join(dir, 'project');
      execFileSync('mkdir', ['-p', project]);
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'readme-user', version: '1.0.0', type: 'module', private: true }));
      const packed = readdirSync(tarballs).map((f) => join(tarballs, f));
      expect(packed).toHaveLength(2);
      execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', ...packed], { cwd: project, stdio: 'pipe' });
      // What npm installed is the package's own published files, nothing from the workspace.
      const installed = JSON.parse(readFileSync(join(project, 'node_modules', '@virtlab', 'lang-vm', 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      expect(Object.keys(installed.dependencies ?? {})).toEqual(['@virtlab/strategy']);
      writeFileSync(join(project, 'example.mjs'), readmeExample());
      const run = spawnSync(process.execPath, ['example.mjs', image.path], { cwd: project, encoding: 'utf8', timeout: 120_000 });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(outputsEquivalent(w.reference.test ?? '', run.stdout)).toBe(true);
      expect(run.stdout.length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

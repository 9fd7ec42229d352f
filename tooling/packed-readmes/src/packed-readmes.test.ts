// Every package's README example, run as a user would run it: from the packed packages installed
// with npm into an empty project outside the workspace, without the network (every package is a
// local tarball). Each example must exit 0, print what it prints from the workspace's sources,
// and print the reference output of the workload it runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { guestImage, guestPackageDir, workloadByName } from '@virtlab/guest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('..', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));
const packagesDir = join(root, 'packages');
const tools = spawnSync('npm', ['--version']).status === 0 && spawnSync('pnpm', ['--version']).status === 0;
if (!tools) console.warn('packed-readmes: skipped, it needs npm and pnpm on PATH');

/** Published packages (not private) with their README's first ```ts block, if any. */
const packages = readdirSync(packagesDir)
  .filter((d) => existsSync(join(packagesDir, d, 'package.json')))
  .map((d) => {
    const manifest = JSON.parse(readFileSync(join(packagesDir, d, 'package.json'), 'utf8')) as { name: string; private?: boolean };
    const readme = join(packagesDir, d, 'README.md');
    const example = existsSync(readme) ? /```ts\n([\s\S]*?)```/.exec(readFileSync(readme, 'utf8'))?.[1] : undefined;
    return { dir: join(packagesDir, d), name: manifest.name, published: manifest.private !== true, example };
  })
  .filter((p) => p.published);

/** Arguments an example takes (lang-vm's runs the wasm program it is given). */
const ARGS: Record<string, (guestDir: string) => string[]> = {
  '@virtlab/lang-vm': (guestDir) => [join(guestDir, 'images', 'wasm32-wasi', 'crc32-test.wasm')],
};
/** The workload whose reference output an example prints. */
const PRINTS: Record<string, { workload: string }> = {
  '@virtlab/hw-model': { workload: 'sieve' },
  '@virtlab/emulator': { workload: 'crc32' },
  '@virtlab/vmm-full': { workload: 'sieve' },
  '@virtlab/vmm-para': { workload: 'sieve' },
  '@virtlab/lang-vm': { workload: 'crc32' },
};
const metricFree = (s: string) => s.split('\n').filter((l) => !l.startsWith('@metric ')).join('\n');

describe.skipIf(!tools)('README examples from the packed packages', () => {
  let work = '';
  let project = '';
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'virtlab-packed-'));
    execFileSync('pnpm', ['build'], { cwd: root, stdio: 'pipe' });
    const tarballs = join(work, 'tarballs');
    for (const p of packages) execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: p.dir, stdio: 'pipe' });
    project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'readme-user', version: '1.0.0', type: 'module', private: true }));
    const packed = readdirSync(tarballs).map((f) => join(tarballs, f));
    expect(packed).toHaveLength(packages.length);
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', ...packed], { cwd: project, stdio: 'pipe' });
  }, 600_000);
  afterAll(() => {
    if (work !== '') rmSync(work, { recursive: true, force: true });
  });

  it('installs only the packages themselves: no workspace links, the guest images inside @virtlab/guest', () => {
    for (const p of packages) expect(existsSync(join(project, 'node_modules', ...p.name.split('/'), 'package.json')), p.name).toBe(true);
    const installedGuest = join(project, 'node_modules', '@virtlab', 'guest');
    expect(readFileSync(join(installedGuest, 'images', 'firmware', 'fw.elf'))).toEqual(readFileSync(guestImage('firmware/fw.elf')));
  });

  for (const p of packages.filter((x) => x.example !== undefined)) {
    it(`${p.name}: the README example runs as written`, { timeout: 180_000 }, () => {
      const installedGuest = join(project, 'node_modules', '@virtlab', 'guest');
      const file = join(project, `${p.name.split('/')[1]}.mjs`);
      writeFileSync(file, p.example!);
      const packed = spawnSync(process.execPath, [file, ...(ARGS[p.name]?.(installedGuest) ?? [])], { cwd: project, encoding: 'utf8', timeout: 150_000 });
      expect(packed.stderr, p.name).toBe('');
      expect(packed.status).toBe(0);
      // The same example from the workspace's sources (tsx, the source export condition), from this
      // package, which depends on every published one.
      const source = join(here, `.readme-${p.name.split('/')[1]}.ts`);
      writeFileSync(source, p.example!);
      try {
        const tsx = createRequire(import.meta.url).resolve('tsx');
        const fromSource = spawnSync(process.execPath, ['--conditions=@virtlab/source', '--import', tsx, source, ...(ARGS[p.name]?.(guestPackageDir) ?? [])], { cwd: here, encoding: 'utf8', timeout: 150_000 });
        expect(fromSource.status, fromSource.stderr).toBe(0);
        expect(packed.stdout.replaceAll(installedGuest, guestPackageDir)).toBe(fromSource.stdout);
      } finally {
        rmSync(source, { force: true });
      }
      const prints = PRINTS[p.name];
      if (prints !== undefined) expect(metricFree(packed.stdout)).toContain(workloadByName(prints.workload).reference.test!);
      expect(packed.stdout.length).toBeGreaterThan(0);
    });
  }
});

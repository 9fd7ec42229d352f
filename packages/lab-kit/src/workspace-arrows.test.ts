import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// ARCHITECTURE.md: arrows point one way. No package depends on the app; the lab-view strategy
// packages stand on the lab kit and never on one another. (The lint rule checks imports; this
// checks the declared dependencies, which is what a packed package installs.)
const packagesDir = new URL('../../', import.meta.url);
const STRATEGY_PACKAGES = ['@virtlab/baselines', '@virtlab/vmm-full', '@virtlab/vmm-para', '@virtlab/os-containers'];

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
const manifests: Manifest[] = readdirSync(packagesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => JSON.parse(readFileSync(new URL(`${d.name}/package.json`, packagesDir), 'utf8')) as Manifest);
const depsOf = (m: Manifest) => [...Object.keys(m.dependencies ?? {}), ...Object.keys(m.devDependencies ?? {})];

describe('workspace dependency arrows', () => {
  it('finds every strategy package', () => {
    const names = manifests.map((m) => m.name);
    for (const name of [...STRATEGY_PACKAGES, '@virtlab/lab-kit']) expect(names).toContain(name);
  });
  for (const m of manifests) {
    it(`${m.name} does not depend on the runner app`, () => expect(depsOf(m)).not.toContain('@virtlab/runner'));
    if (STRATEGY_PACKAGES.includes(m.name)) {
      it(`${m.name} depends on no other strategy package`, () => {
        expect(depsOf(m).filter((d) => STRATEGY_PACKAGES.includes(d) && d !== m.name)).toEqual([]);
      });
    }
  }
});

import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runnerVersion } from './version.js';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');

/** Spawns the CLI from source the way `pnpm virtlab` does. */
export function virtlab(...args: string[]) {
  return spawnSync(process.execPath, ['--conditions=@virtlab/source', '--import', tsx, cli, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('virtlab CLI', () => {
  it('prints its version', () => {
    const r = virtlab('--version');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(runnerVersion());
    expect(runnerVersion()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('prints help that names the program', () => {
    const r = virtlab('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: virtlab');
    expect(r.stdout).toContain('--version');
  });

  it('rejects an unknown command with a non-zero status', () => {
    const r = virtlab('no-such-command');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/^error: /);
  });
});

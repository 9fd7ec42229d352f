import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The first ```ts block of a README. */
export function readmeExample(readme: URL): string {
  const text = readFileSync(readme, 'utf8');
  const match = /```ts\n([\s\S]*?)```/.exec(text);
  if (match === null) throw new Error(`${readme.pathname}: no \`\`\`ts example`);
  return match[1]!;
}

/**
 * Runs a README's example as written, from a file inside the package (so its imports resolve
 * the way they do for a user of the package), against the workspace's sources; returns stdout.
 */
export async function runReadmeExample(packageDir: URL): Promise<string> {
  const code = readmeExample(new URL('README.md', packageDir));
  const dir = mkdtempSync(join(packageDir.pathname, '.readme-example-'));
  try {
    const file = join(dir, 'example.ts');
    writeFileSync(file, code);
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=@virtlab/source', '--import', tsx, file], { timeout: 120_000 });
    return stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

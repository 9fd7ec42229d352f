import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestPackageDir } from './paths.js';
import { has } from './test-support/peers.js';

const run = promisify(execFile);
const hasCc = has('cc');
if (!hasCc) console.warn('skipping the libc host tests: cc is not installed');

// virtlab's libc compiled for the host with its functions renamed, checked against the host's
// C library (printf) and against its own invariants under random load (malloc).
describe.skipIf(!hasCc)('libc on the host', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'virtlab-libc-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const build = async (name: string, sources: string[], defines: string[]) => {
    const binary = join(dir, name);
    const flags = ['-O2', '-Wall', '-Wextra', '-Werror', '-Wno-format', '-fno-builtin', ...defines.map((d) => `-D${d}`)];
    await run('cc', [...flags, '-o', binary, ...sources.map((s) => join(guestPackageDir, s))]);
    return binary;
  };

  it('formats like the host snprintf: flags, width, precision, lengths, every conversion, truncation', async () => {
    const binary = await build(
      'printf',
      ['libc/tests/printf-vs-host.c', 'libc/src/printf.c', 'libc/tests/host-wrappers.c'],
      ['VL_PRINTF_ONLY', 'snprintf=vl_snprintf', 'vsnprintf=vl_vsnprintf', 'sprintf=vl_sprintf'],
    );
    const { stdout } = await run(binary);
    expect(stdout).toMatch(/^\d+ cases, 0 mismatches\n$/);
    expect(Number(stdout.split(' ')[0])).toBeGreaterThan(250);
  });

  it('malloc, calloc, realloc and free keep data, alignment and disjointness, and coalesce', async () => {
    const binary = await build(
      'malloc',
      ['libc/tests/malloc-stress.c', 'libc/src/malloc.c', 'libc/src/string.c'],
      ['malloc=vl_malloc', 'free=vl_free', 'calloc=vl_calloc', 'realloc=vl_realloc', 'memcpy=vl_memcpy', 'memset=vl_memset',
        'memmove=vl_memmove', 'memcmp=vl_memcmp', 'memchr=vl_memchr', 'strlen=vl_strlen', 'strnlen=vl_strnlen',
        'strcmp=vl_strcmp', 'strncmp=vl_strncmp', 'strcpy=vl_strcpy', 'strncpy=vl_strncpy', 'strcat=vl_strcat',
        'strchr=vl_strchr', 'strrchr=vl_strrchr', 'strstr=vl_strstr'],
    );
    const { stdout } = await run(binary);
    expect(stdout).toMatch(/^ok: heap \d+ bytes\n$/);
  });
});

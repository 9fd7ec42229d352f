// The initrd writer: cpio "newc" as Linux's initramfs reader and GNU cpio define it (070701,
// 13 eight-digit hex fields, name with its NUL, header+name and data each padded to 4 bytes,
// a TRAILER!!! entry), and reproducible (the same entries give the same bytes).
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCpio } from '../initrd/cpio.js';
import { has } from './test-support/peers.js';

interface Parsed {
  name: string;
  mode: number;
  ino: number;
  mtime: number;
  data: Uint8Array;
}

/** Reads a newc archive field by field, as the format's definition lays it out. */
function parseNewc(archive: Uint8Array): Parsed[] {
  const text = (from: number, length: number) => Buffer.from(archive.subarray(from, from + length)).toString('latin1');
  const entries: Parsed[] = [];
  let pos = 0;
  for (;;) {
    expect(text(pos, 6)).toBe('070701');
    const field = (i: number) => Number.parseInt(text(pos + 6 + 8 * i, 8), 16);
    const [ino, mode, , , , mtime, filesize, , , , , namesize, check] = Array.from({ length: 13 }, (_, i) => field(i));
    expect(check).toBe(0);
    const name = text(pos + 110, (namesize ?? 1) - 1);
    expect(archive[pos + 110 + (namesize ?? 1) - 1]).toBe(0);
    const dataStart = (pos + 110 + (namesize ?? 0) + 3) & ~3;
    const data = archive.subarray(dataStart, dataStart + (filesize ?? 0));
    entries.push({ name, mode: mode ?? 0, ino: ino ?? 0, mtime: mtime ?? 0, data });
    pos = (dataStart + (filesize ?? 0) + 3) & ~3;
    if (name === 'TRAILER!!!') break;
  }
  expect(pos).toBe(archive.length);
  return entries;
}

const sample = [
  { path: 'bin' },
  { path: 'bin/a', data: new Uint8Array([1, 2, 3]) },
  { path: 'bin/bb', data: new TextEncoder().encode('hello, initrd\n') },
  { path: 'bin/empty', data: new Uint8Array(0) },
];

describe('initrd cpio writer', () => {
  it('writes newc entries with fixed inodes and zero mtimes, padded to 4 bytes, ending in TRAILER!!!', () => {
    const archive = writeCpio(sample);
    expect(archive.length % 4).toBe(0);
    const entries = parseNewc(archive);
    expect(entries.map((e) => e.name)).toEqual(['bin', 'bin/a', 'bin/bb', 'bin/empty', 'TRAILER!!!']);
    expect(entries.map((e) => e.mode.toString(8))).toEqual(['40755', '100755', '100755', '100755', '0']);
    expect(entries.map((e) => e.ino)).toEqual([1, 2, 3, 4, 0]);
    expect(entries.every((e) => e.mtime === 0)).toBe(true);
    expect(Buffer.from(entries[2]?.data ?? []).toString()).toBe('hello, initrd\n');
    expect([...(entries[1]?.data ?? [])]).toEqual([1, 2, 3]);
  });

  it('is reproducible: the same entries give the same bytes', () => {
    expect(Buffer.from(writeCpio(sample)).equals(Buffer.from(writeCpio(sample)))).toBe(true);
  });

  it.skipIf(!has('cpio'))('GNU cpio lists and extracts it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'virtlab-cpio-'));
    try {
      const archive = join(dir, 'rd.cpio');
      await writeFile(archive, writeCpio(sample));
      const listing = execFileSync('cpio', ['-i', '-t', '-F', archive], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
      expect(listing.trim().split('\n')).toEqual(['bin', 'bin/a', 'bin/bb', 'bin/empty']);
      execFileSync('cpio', ['-i', '-d', '-F', archive], { cwd: dir, stdio: 'ignore' });
      expect(await readFile(join(dir, 'bin/bb'), 'utf8')).toBe('hello, initrd\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

if (!has('cpio')) console.warn('skipping the GNU cpio check of the initrd writer: cpio is not installed');

// The newc reader and writer against GNU cpio (a real peer) and against archives built to hurt a
// reader (issue 19): sizes past the end, names without their NUL, fields that are not hex, a
// missing trailer; each a CpioError naming the offset, in time linear in the archive.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CpioError, readCpio, writeCpio } from '../initrd/cpio.js';
import { has } from './test-support/peers.js';

const dir = mkdtempSync(join(tmpdir(), 'virtlab-cpio-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sample = [{ path: 'bin' }, { path: 'bin/a', data: new Uint8Array([1, 2, 3]) }, { path: 'bin/bb', data: new TextEncoder().encode('hello\n') }];
const ascii = (s: string) => new TextEncoder().encode(s);

/** `archive` with header field `index` (0 = ino .. 12 = check) of the entry at `at` set to `text`. */
function setField(archive: Uint8Array, at: number, index: number, text: string): Uint8Array {
  const out = archive.slice();
  out.set(ascii(text), at + 6 + 8 * index);
  return out;
}

describe('cpio newc reader', () => {
  it('reads back what the writer wrote', () => {
    const members = readCpio(writeCpio(sample));
    expect(members.map((m) => [m.name, m.mode.toString(8), [...m.data]])).toEqual([
      ['bin', '40755', []],
      ['bin/a', '100755', [1, 2, 3]],
      ['bin/bb', '100755', [...ascii('hello\n')]],
    ]);
    expect(members.map((m) => m.offset)).toEqual([0, 116, 236]);
  });

  it.skipIf(!has('cpio'))('reads an archive GNU cpio wrote with -H newc (skipped without cpio)', () => {
    mkdirSync(join(dir, 'tree/sub'), { recursive: true });
    writeFileSync(join(dir, 'tree/sub/f.txt'), 'from GNU cpio\n');
    writeFileSync(join(dir, 'tree/odd'), new Uint8Array(5).fill(9));
    const archive = execFileSync('cpio', ['-o', '-H', 'newc', '--quiet'], { cwd: join(dir, 'tree'), input: 'sub\nsub/f.txt\nodd\n' });
    const members = readCpio(new Uint8Array(archive));
    expect(members.map((m) => m.name)).toEqual(['sub', 'sub/f.txt', 'odd']);
    expect(Buffer.from(members[1]?.data ?? []).toString()).toBe('from GNU cpio\n');
    expect([...(members[2]?.data ?? [])]).toEqual([9, 9, 9, 9, 9]);
    expect((members[0]?.mode ?? 0) & 0o170000).toBe(0o040000);
  });

  it('a file size past the end of the archive is refused, naming the entry (a u32 reader would wrap)', () => {
    const bad = setField(writeCpio(sample), 116, 6, 'ffffffff');
    expect(() => readCpio(bad)).toThrow(CpioError);
    expect(() => readCpio(bad)).toThrow(/^at offset 0x74: the data of 'bin\/a' \(4294967295 bytes at 0xe8\) run past the end of the archive \(0x1e8\)$/);
  });

  it('names: a namesize past the end, a name without its NUL, an overlong namesize', () => {
    const archive = writeCpio(sample);
    expect(() => readCpio(setField(archive, 0, 11, '00100000'))).toThrow(new CpioError(0, 'namesize 1048576 is not in 1..4096'));
    expect(() => readCpio(setField(archive, 0, 11, '00000003'))).toThrow(new CpioError(0x6e, 'the name is not 2 bytes followed by its NUL'));
    expect(() => readCpio(setField(archive, 0, 11, '00000000'))).toThrow(/namesize 0 is not in 1\.\.4096/);
    const tail = archive.slice(0, archive.length - 8);
    expect(() => readCpio(setField(tail, 236 + 120, 11, '00000fff'))).toThrow(CpioError);
  });

  it('fields that are not hex, a wrong magic, a missing trailer, garbage after it', () => {
    const archive = writeCpio(sample);
    expect(() => readCpio(setField(archive, 0, 6, '0000000g'))).toThrow(new CpioError(0x36, 'field filesize is "0000000g", not 8 hex digits'));
    const odc = archive.slice();
    odc.set(ascii('070707'));
    expect(() => readCpio(odc)).toThrow(new CpioError(0, 'magic is "070707", not "070701" (newc)'));
    const members = readCpio(archive);
    const last = members[members.length - 1]!;
    const cut = archive.subarray(0, last.offset + 120 + 8);
    expect(() => readCpio(cut)).toThrow(/the archive ends without a TRAILER!!! entry|a header needs 110 bytes/);
    expect(() => readCpio(Uint8Array.of(...archive, 0, 0, 0, 0))).not.toThrow(); // zero padding, as GNU cpio writes to 512-byte blocks
    expect(() => readCpio(Uint8Array.of(...archive, 1))).toThrow(/bytes other than zero padding follow TRAILER!!!/);
    expect(() => readCpio(new Uint8Array(0))).toThrow(new CpioError(0, 'the archive ends without a TRAILER!!! entry'));
  });

  it('many entries: 20,000 directories read back in order', () => {
    const many = writeCpio(Array.from({ length: 20_000 }, (_, i) => ({ path: `d/${String(i).padStart(6, '0')}` })));
    const members = readCpio(many);
    expect(members).toHaveLength(20_000);
    expect(members[19_999]?.name).toBe('d/019999');
  });
});

describe('cpio newc writer refusals', () => {
  it('names that are empty, hold a NUL, are too long, or are the trailer are CpioErrors', () => {
    expect(() => writeCpio([{ path: '/' }])).toThrow(/entry 0 \('\/'\): a name must be non-empty and hold no NUL/);
    expect(() => writeCpio([{ path: 'a\0b' }])).toThrow(/a name must be non-empty and hold no NUL/);
    expect(() => writeCpio([{ path: 'x'.repeat(4096) }])).toThrow(/the name is longer than 4095 bytes/);
    expect(() => writeCpio([{ path: 'TRAILER!!!' }])).toThrow(/TRAILER!!! is the archive's end marker/);
  });

  it('non-ASCII names are stored as UTF-8 with their byte count (GNU cpio lists them back)', () => {
    const archive = writeCpio([{ path: 'é', data: ascii('x') }]);
    expect(readCpio(archive)[0]?.name).toBe('é');
    expect(new TextDecoder().decode(archive.subarray(94, 102))).toBe('00000003'); // namesize: 2 bytes + NUL
    if (has('cpio')) {
      writeFileSync(join(dir, 'u.cpio'), archive);
      expect(execFileSync('cpio', ['-i', '-t', '--quiet', '-F', join(dir, 'u.cpio')]).toString()).toBe('é\n');
    }
  });
});


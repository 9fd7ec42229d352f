// Files from outside: bounded reads with typed errors, and JSON errors placed at a line and column.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputFileError, jsonErrorOffset, lineAndColumn, parseJsonText, readInputFile } from './input-file.js';

const dir = mkdtempSync(join(tmpdir(), 'virtlab-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readInputFile', () => {
  it('reads a regular file up to its limit and refuses one byte more, before reading it', () => {
    const file = join(dir, 'f.bin');
    writeFileSync(file, new Uint8Array(100).fill(7));
    expect(readInputFile(file, 'image', 100)).toEqual(new Uint8Array(100).fill(7));
    expect(() => readInputFile(file, 'image', 99)).toThrow(new InputFileError(file, `image '${file}' is 100 bytes, more than the 99 bytes it may have`));
    writeFileSync(join(dir, 'empty'), '');
    expect(readInputFile(join(dir, 'empty'), 'image', 10)).toHaveLength(0);
  });

  it('refuses directories and devices (which never end) by kind, and names a missing file', () => {
    expect(() => readInputFile(dir, 'disk', 1 << 20)).toThrow(/disk '.*' is a directory, not a regular file/);
    expect(() => readInputFile('/dev/zero', 'disk', 1 << 20)).toThrow(new InputFileError('/dev/zero', "disk '/dev/zero' is a character device, not a regular file"));
    expect(() => readInputFile(join(dir, 'nope'), 'disk', 1)).toThrow(/disk '.*nope' cannot be read: ENOENT/);
  });
});

describe('JSON errors with a place', () => {
  it('names line and column of the first bad character, or of the end when the text stops early', () => {
    expect(() => parseJsonText('{\n  "a": 1,\n  b: 2\n}', 'f.json')).toThrow(/^f\.json is not JSON at line 3, column 3: /);
    expect(() => parseJsonText('[1, 2', 'f.json')).toThrow(/at line 1, column 6/);
    expect(() => parseJsonText('{"a": 1} x', 'f.json')).toThrow(/at line 1, column 10/);
    expect(lineAndColumn('ab\ncd\n', 4)).toEqual({ line: 2, column: 2 });
  });

  it('handles any nesting depth without recursion', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(jsonErrorOffset(deep)).toBe(-1);
    expect(jsonErrorOffset(deep.slice(0, -1))).toBe(deep.length - 1);
  });
});

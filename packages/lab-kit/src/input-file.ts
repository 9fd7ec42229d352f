import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Files that arrive from outside (images, disks, cost models, bench results): read with a size
 * bound, so a device, a FIFO or a huge file gives a typed error instead of a hang or a host out of
 * memory, and JSON errors name the line and column.
 */
export class InputFileError extends Error {
  override name = 'InputFileError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

const KIND = (s: ReturnType<typeof fstatSync>) =>
  s.isDirectory() ? 'a directory' : s.isFIFO() ? 'a FIFO' : s.isCharacterDevice() ? 'a character device' : s.isBlockDevice() ? 'a block device' : s.isSocket() ? 'a socket' : 'not a regular file';

/** The bytes of regular file `path` (`what` names it in errors), refused above `maxBytes`. */
export function readInputFile(path: string, what: string, maxBytes: number): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new InputFileError(path, `${what} '${path}' cannot be read: ${(error as Error).message}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new InputFileError(path, `${what} '${path}' is ${KIND(stat)}, not a regular file`);
    if (stat.size > maxBytes) throw new InputFileError(path, `${what} '${path}' is ${stat.size} bytes, more than the ${maxBytes} bytes it may have`);
    // Read one byte more than the limit: a file that grew since fstat is caught too.
    const buffer = new Uint8Array(Math.min(stat.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxBytes) throw new InputFileError(path, `${what} '${path}' grew past the ${maxBytes} bytes it may have while it was read`);
      if (length === buffer.length) break;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** Line and column (both from 1) of character `index` of `text`. */
export function lineAndColumn(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: index - lineStart + 1 };
}

/**
 * The text of a UTF-8 JSON file, parsed; errors (bad UTF-8, bad JSON) name the file and the line
 * and column, as `InputFileError`s.
 */
export function readJsonFile(path: string, what: string, maxBytes: number): unknown {
  const bytes = readInputFile(path, what, maxBytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputFileError(path, `${what} '${path}' is not UTF-8 text`);
  }
  return parseJsonText(text, `${what} '${path}'`, path);
}

/** JSON.parse with the error's place given as a line and column (found by `jsonErrorOffset`). */
export function parseJsonText(text: string, source: string, path = source): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const { line, column } = lineAndColumn(text, jsonErrorOffset(text));
    throw new InputFileError(path, `${source} is not JSON at line ${line}, column ${column}: ${(error as Error).message}`);
  }
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * The offset of the first character at which `text` stops being JSON (RFC 8259), or its length
 * when it ends too early; -1 when it is JSON. One pass, nesting kept on an explicit stack (no
 * recursion, so any depth is fine). V8's own messages do not always say where.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const n = text.length;
  const stack: number[] = []; // 0x5b '[' or 0x7b '{'
  const skip = () => {
    while (i < n && WS.has(text.charCodeAt(i))) i++;
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++, i++) if (text.charCodeAt(i) !== word.charCodeAt(k)) return false;
    return true;
  };
  const string = (): boolean => {
    i++; // opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return false;
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return false;
      } else i++;
    }
    return false;
  };
  const number = (): boolean => {
    const m = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    m.lastIndex = i;
    if (!m.test(text)) return false;
    i = m.lastIndex;
    return true;
  };
  // A state machine: VALUE wants a value, KEY an object member's name and colon, AFTER a comma
  // or the closer of the innermost container (or the end of the text when there is none).
  let state: 'value' | 'key' | 'after' = 'value';
  for (;;) {
    skip();
    const c = text.charCodeAt(i);
    if (state === 'value') {
      if (c === 0x7b || c === 0x5b) {
        i++;
        skip();
        if (text.charCodeAt(i) === (c === 0x7b ? 0x7d : 0x5d)) {
          i++;
          state = 'after';
        } else {
          stack.push(c);
          state = c === 0x7b ? 'key' : 'value';
        }
        continue;
      }
      const ok = c === 0x22 ? string() : c === 0x74 ? literal('true') : c === 0x66 ? literal('false') : c === 0x6e ? literal('null') : number();
      if (!ok) return Math.min(i, n);
      state = 'after';
    } else if (state === 'key') {
      if (c !== 0x22 || !string()) return Math.min(i, n);
      skip();
      if (text.charCodeAt(i) !== 0x3a) return Math.min(i, n);
      i++;
      state = 'value';
    } else {
      const top = stack[stack.length - 1];
      if (top === undefined) return i === n ? -1 : i;
      if (c === 0x2c) {
        i++;
        state = top === 0x7b ? 'key' : 'value';
      } else if (c === (top === 0x7b ? 0x7d : 0x5d)) {
        stack.pop();
        i++;
      } else return Math.min(i, n);
    }
  }
}

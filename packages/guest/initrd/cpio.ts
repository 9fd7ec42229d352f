/**
 * cpio "newc" archives (magic 070701), the format Linux's initramfs reads and GNU cpio writes with
 * `-H newc`: a 110-byte ASCII header of the magic and 13 eight-digit hex fields (ino, mode, uid,
 * gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check), the
 * name with its NUL, padding to 4 bytes, the data, padding to 4 bytes; the last entry is named
 * TRAILER!!!. The writer builds the guest kernel's initrd; the reader checks archives from
 * outside in time and memory linear in their size, each fault a `CpioError` naming the offset.
 */

/** One entry of a cpio archive: a directory or a regular file. */
export interface CpioEntry {
  readonly path: string;
  readonly data?: Uint8Array;
}

/** An entry as read back: its name, mode bits and data (a view into the archive). */
export interface CpioMember {
  readonly name: string;
  readonly mode: number;
  readonly ino: number;
  readonly mtime: number;
  readonly data: Uint8Array;
  /** Offset of the entry's header in the archive. */
  readonly offset: number;
}

export class CpioError extends Error {
  override name = 'CpioError';
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(`at offset 0x${offset.toString(16)}: ${message}`);
  }
}

const MAGIC = '070701';
const HEADER = 110;
const TRAILER = 'TRAILER!!!';
const FIELD_MAX = 0xffff_ffff;
/** PATH_MAX of Linux: the initramfs reader refuses longer names too. */
export const CPIO_NAME_MAX = 4096;

const hex8 = (value: number) => value.toString(16).padStart(8, '0');
const pad4 = (n: number) => (4 - (n % 4)) % 4;

/**
 * A newc archive of `entries`, then TRAILER!!!. Reproducible: inode numbers count up from 1,
 * mtimes are 0, owners root, modes 0755 / 0644 (directories 040755). Names are stored without
 * leading slashes; a name that is empty, holds a NUL, or is longer than 4096 bytes, and data over
 * 4 GiB - 1 (the 8-digit size field), are refused with a `CpioError` naming the entry.
 */
export function writeCpio(entries: readonly CpioEntry[]): Uint8Array {
  const utf8 = new TextEncoder();
  const parts: { header: Uint8Array; data: Uint8Array }[] = [];
  const add = (name: string, mode: number, data: Uint8Array, ino: number) => {
    const encoded = utf8.encode(`${name}\0`);
    const fields = [ino, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, encoded.length, 0];
    parts.push({ header: Uint8Array.of(...utf8.encode(`${MAGIC}${fields.map(hex8).join('')}`), ...encoded), data });
  };
  entries.forEach((entry, index) => {
    const name = entry.path.replace(/^\/+/, '');
    const where = `entry ${index} ('${entry.path.length > 60 ? `${entry.path.slice(0, 60)}...` : entry.path}')`;
    if (name === '' || name.includes('\0')) throw new CpioError(0, `${where}: a name must be non-empty and hold no NUL`);
    if (utf8.encode(name).length >= CPIO_NAME_MAX) throw new CpioError(0, `${where}: the name is longer than ${CPIO_NAME_MAX - 1} bytes`);
    if (name === TRAILER) throw new CpioError(0, `${where}: ${TRAILER} is the archive's end marker, not a name`);
    if ((entry.data?.length ?? 0) > FIELD_MAX) throw new CpioError(0, `${where}: ${entry.data?.length} bytes of data do not fit the 8-digit size field`);
    add(name, entry.data ? 0o100755 : 0o040755, entry.data ?? new Uint8Array(0), index + 1);
  });
  add(TRAILER, 0, new Uint8Array(0), 0);
  let size = 0;
  for (const p of parts) size += p.header.length + pad4(p.header.length) + p.data.length + pad4(p.data.length);
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p.header, at);
    at += p.header.length + pad4(p.header.length);
    out.set(p.data, at);
    at += p.data.length + pad4(p.data.length);
  }
  return out;
}

const FIELDS = ['ino', 'mode', 'uid', 'gid', 'nlink', 'mtime', 'filesize', 'devmajor', 'devminor', 'rdevmajor', 'rdevminor', 'namesize', 'check'] as const;

/**
 * The entries of newc archive `archive`, up to (not including) TRAILER!!!. Every header field
 * must be 8 hex digits, the name must end with its NUL at `namesize`, name and data must lie in
 * the archive, and the archive must end with TRAILER!!! (only zero padding may follow). Data are
 * views into `archive`, so memory is the archive's size plus the names.
 */
export function readCpio(archive: Uint8Array): CpioMember[] {
  const members: CpioMember[] = [];
  const latin1 = new TextDecoder('latin1');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let pos = 0;
  for (;;) {
    if (pos + HEADER > archive.length) {
      throw new CpioError(pos, pos === archive.length ? `the archive ends without a ${TRAILER} entry` : `a header needs ${HEADER} bytes, ${archive.length - pos} are left`);
    }
    const magic = latin1.decode(archive.subarray(pos, pos + 6));
    if (magic !== MAGIC) throw new CpioError(pos, `magic is ${JSON.stringify(magic)}, not "${MAGIC}" (newc)`);
    const field: Record<(typeof FIELDS)[number], number> = {} as never;
    FIELDS.forEach((name, i) => {
      const text = latin1.decode(archive.subarray(pos + 6 + 8 * i, pos + 14 + 8 * i));
      if (!/^[0-9a-fA-F]{8}$/.test(text)) throw new CpioError(pos + 6 + 8 * i, `field ${name} is ${JSON.stringify(text)}, not 8 hex digits`);
      field[name] = Number.parseInt(text, 16);
    });
    const nameAt = pos + HEADER;
    if (field.namesize === 0 || field.namesize > CPIO_NAME_MAX) throw new CpioError(pos, `namesize ${field.namesize} is not in 1..${CPIO_NAME_MAX}`);
    if (nameAt + field.namesize > archive.length) throw new CpioError(nameAt, `the name (${field.namesize} bytes) runs past the end of the archive`);
    const nameBytes = archive.subarray(nameAt, nameAt + field.namesize - 1);
    if (archive[nameAt + field.namesize - 1] !== 0 || nameBytes.includes(0)) {
      throw new CpioError(nameAt, `the name is not ${field.namesize - 1} bytes followed by its NUL`);
    }
    let name: string;
    try {
      name = utf8.decode(nameBytes);
    } catch {
      throw new CpioError(nameAt, 'the name is not UTF-8');
    }
    const dataAt = nameAt + field.namesize + pad4(HEADER + field.namesize);
    if (dataAt + field.filesize > archive.length) {
      throw new CpioError(pos, `the data of '${name}' (${field.filesize} bytes at 0x${dataAt.toString(16)}) run past the end of the archive (0x${archive.length.toString(16)})`);
    }
    if (name === TRAILER) {
      const rest = archive.subarray(Math.min(archive.length, dataAt + field.filesize));
      if (rest.some((b) => b !== 0)) throw new CpioError(dataAt + field.filesize, `bytes other than zero padding follow ${TRAILER}`);
      return members;
    }
    members.push({ name, mode: field.mode, ino: field.ino, mtime: field.mtime, data: archive.subarray(dataAt, dataAt + field.filesize), offset: pos });
    pos = dataAt + field.filesize + pad4(field.filesize);
  }
}

import { readFile } from 'node:fs/promises';
import { writeCpio, type CpioEntry } from '@virtlab/guest';
import { GuestJailError } from './errors.js';
import type { JailSet } from './model.js';

/** Files a jail set's root trees hold, by absolute guest path, read from host files. */
export type ProgramFiles = ReadonlyMap<string, string>;

/** The file the battery looks for: at the host's root, in no jail's tree. */
export const HOST_SECRET = '/etc/host-secret';

/**
 * The cpio archive that goes after the committed initrd (the kernel reads concatenated
 * archives, as Linux does): the daemon /bin/zoned, /etc/jails.bin, the host's secret, and each jail's root tree —
 * bin, tmp, etc, dev (devfs fills dev in the guest) — with the programs its runs name.
 */
export async function rootTreeArchive(set: JailSet, config: Uint8Array, programs: ProgramFiles): Promise<Uint8Array> {
  const dirs = new Set<string>(['bin', 'etc']);
  const files = new Map<string, Uint8Array>([
    ['etc/jails.bin', config],
    [HOST_SECRET.slice(1), new TextEncoder().encode('the host\'s secret: no jail may read this\n')],
  ]);
  const daemon = programs.get('/bin/zoned');
  if (daemon === undefined) throw new GuestJailError('no /bin/zoned among the programs: the jail daemon is process 1');
  files.set('bin/zoned', new Uint8Array(await readFile(daemon)));
  const addDirs = (path: string) => {
    const parts = path.split('/').filter(Boolean);
    for (let k = 1; k <= parts.length; k++) dirs.add(parts.slice(0, k).join('/'));
  };
  for (const jail of set.jails) {
    for (const sub of ['', '/bin', '/tmp', '/etc', '/dev']) addDirs(`${jail.path}${sub}`);
  }
  for (const run of set.runs) {
    const jail = set.jails[run.jail];
    const program = run.argv[0];
    if (jail === undefined || program === undefined) continue;
    for (const guestPath of [program, ...(programs.has('/bin/true') ? ['/bin/true'] : [])]) {
      const source = programs.get(guestPath);
      if (source === undefined) continue;
      const target = `${jail.path}${guestPath}`.slice(1);
      addDirs(target.split('/').slice(0, -1).join('/'));
      if (!files.has(target)) files.set(target, new Uint8Array(await readFile(source)));
    }
  }
  const entries: CpioEntry[] = [...dirs].sort().map((path) => ({ path }));
  for (const [path, data] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) entries.push({ path, data });
  return writeCpio(entries);
}

import type { JailSet } from './model.js';
import { ALLOW_FLAGS, MACHINE } from './model.js';

// /etc/jails.bin, as the in-guest daemon reads it (initrd/src/jail.h: struct jc_header,
// jc_jail { struct jail_params; i32 parent; u32 zone }, jc_run), little-endian.
export const JC_MAGIC = 0x434a4c56; // "VLJC"
export const JC_VERSION = 1;
/** Sizes and field offsets of the layout; `config-abi.test.ts` checks them against the C header with clang. */
export const JC_LAYOUT = {
  header: 16,
  params: 32 + 128 + 64 + 7 * 4,
  jail: 32 + 128 + 64 + 7 * 4 + 8,
  run: 12 + MACHINE.args * 64,
  /** offsetof(struct jail_params, ...) */
  path: 32,
  hostname: 160,
  allow: 224,
  cpuPct: 224 + 24,
  /** offsetof(struct jc_jail, parent) and (struct jc_run, argv) */
  parent: 32 + 128 + 64 + 7 * 4,
  argv: 12,
} as const;
const PARAMS_SIZE = JC_LAYOUT.params;
const JAIL_SIZE = JC_LAYOUT.jail;
const RUN_SIZE = JC_LAYOUT.run;
const MOUNT_DEVFS = 0x1;

function putString(bytes: Uint8Array, offset: number, capacity: number, value: string): void {
  const encoded = new TextEncoder().encode(value);
  if (encoded.length >= capacity) throw new RangeError(`'${value}' is longer than ${capacity - 1} bytes`);
  bytes.set(encoded, offset);
}

/** The binary configuration of a (validated) jail set. */
export function encodeJailSet(set: JailSet): Uint8Array {
  const bytes = new Uint8Array(16 + set.jails.length * JAIL_SIZE + set.runs.length * RUN_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, JC_MAGIC, true);
  view.setUint32(4, JC_VERSION, true);
  view.setUint32(8, set.jails.length, true);
  view.setUint32(12, set.runs.length, true);
  set.jails.forEach((jail, index) => {
    const at = 16 + index * JAIL_SIZE;
    putString(bytes, at, 32, jail.name);
    // The kernel resolves a nested jail's path inside its parent (the creator is attached there).
    const parent = jail.parent >= 0 ? set.jails[jail.parent] : undefined;
    putString(bytes, at + 32, 128, parent === undefined ? jail.path : jail.path.slice(parent.path.length));
    putString(bytes, at + 160, 64, jail.hostname ?? '');
    const words = [
      jail.allow.reduce((bits, name) => bits | ALLOW_FLAGS[name], 0),
      jail.devfs ? MOUNT_DEVFS : 0,
      jail.childrenMax,
      jail.maxproc ?? 0,
      jail.memoryPages ?? 0,
      jail.openFiles ?? 0,
      jail.cpuPercent ?? 0,
    ];
    words.forEach((word, k) => view.setUint32(at + 224 + 4 * k, word, true));
    view.setInt32(at + PARAMS_SIZE, jail.parent, true);
    view.setUint32(at + PARAMS_SIZE + 4, jail.zone ? 1 : 0, true);
  });
  set.runs.forEach((run, index) => {
    const at = 16 + set.jails.length * JAIL_SIZE + index * RUN_SIZE;
    view.setUint32(at, run.jail, true);
    view.setUint32(at + 4, run.primary ? 1 : 0, true);
    view.setUint32(at + 8, run.argv.length, true);
    run.argv.forEach((arg, k) => putString(bytes, at + 12 + 64 * k, 64, arg));
  });
  return bytes;
}

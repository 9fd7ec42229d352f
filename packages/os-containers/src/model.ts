// The host's model of a jail set: what the parsers produce, what the validator checks against the
// machine, and what the config image and root tree are built from.

/** allow.* permissions the kernel knows (kernel/jail-abi.h). */
export const ALLOW_FLAGS = { set_hostname: 0x1, raw_io: 0x2 } as const;
export type AllowName = keyof typeof ALLOW_FLAGS;

/** The kernel's fixed sizes (kernel/kernel.h, kernel/jail-abi.h): what "above the machine" means. */
export const MACHINE = {
  /** Process slots; process 1 (the daemon) holds one. */
  nproc: 32,
  /** Descriptors per process × process slots. */
  openFiles: 32 * 32,
  jails: 16,
  nameLength: 31,
  pathLength: 127,
  hostnameLength: 63,
  args: 8,
  argLength: 63,
  runs: 8,
  pageSize: 4096,
} as const;

/** One jail as configured. Limits left undefined are not set (the parent's still apply). */
export interface JailSpec {
  /** The jail's own name (the last component of a dotted jail.conf name). */
  readonly name: string;
  /** The full dotted name: `parent.child`. */
  readonly fullName: string;
  /** Index of the parent in the set, or -1 for a jail of the host. */
  readonly parent: number;
  /** Root directory in the guest's file system (absolute). */
  readonly path: string;
  readonly hostname?: string;
  readonly allow: readonly AllowName[];
  readonly devfs: boolean;
  readonly childrenMax: number;
  readonly maxproc?: number;
  /** Resident user pages. */
  readonly memoryPages?: number;
  readonly openFiles?: number;
  /** CPU cap in percent of the machine. */
  readonly cpuPercent?: number;
  /** A zone: the daemon reports its lifecycle. */
  readonly zone: boolean;
  /** The program it boots (argv), if any. */
  readonly exec?: readonly string[];
  /** Where it was configured (for errors found later). */
  readonly line: number;
}

/** A program started in a jail by the daemon. */
export interface RunSpec {
  readonly jail: number;
  /** The daemon's exit status is the first primary run's; the others stop once the primaries end. */
  readonly primary: boolean;
  readonly argv: readonly string[];
}

export interface JailSet {
  readonly jails: readonly JailSpec[];
  readonly runs: readonly RunSpec[];
}

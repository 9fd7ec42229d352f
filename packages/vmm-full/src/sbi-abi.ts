/**
 * The SBI calling convention and ids (SBI 2.0 chapter 3): what the virtual SBI's extensions share.
 * Values the implementation reports about itself are the project firmware's (guest/firmware/sbi.h),
 * so the guest sees the same SBI under the hypervisor as on the board.
 */

/** SBI error codes (SBI 2.0 section 3, table 1). */
export const SBI_SUCCESS = 0;
export const SBI_ERR_FAILED = -1;
export const SBI_ERR_NOT_SUPPORTED = -2;
export const SBI_ERR_INVALID_PARAM = -3;

/** Extension ids (SBI 2.0 chapters 4, 5, 6, 10, 12); the legacy ones are 0x00-0x0f. */
export const SBI_EXT = {
  legacySetTimer: 0x00,
  legacyPutchar: 0x01,
  legacyGetchar: 0x02,
  legacyShutdown: 0x08,
  base: 0x10,
  time: 0x54494d45, // "TIME"
  srst: 0x53525354, // "SRST"
  dbcn: 0x4442434e, // "DBCN"
} as const;

export { SBI_IMPL_ID, SBI_IMPL_VERSION, SBI_SPEC_VERSION } from '@virtlab/guest';

/** What an SBI extension needs from the virtual machine. */
export interface SbiMachine {
  /** Programs the virtual supervisor timer (absolute guest time) and clears the pending STIP. */
  setTimer(time: number): void;
  putchar(byte: number): void;
  /** The next byte of console input, or -1 when there is none. */
  getchar(): number;
  /** Guest RAM [base, end) in guest-physical addresses, where DBCN buffers must lie. */
  readonly ramBase: number;
  readonly ramEnd: number;
  readGuest(gpa: number, length: number): Uint8Array;
  writeGuest(gpa: number, bytes: Uint8Array): void;
  /** SRST shutdown with an exit status, or a reset; the VM stops. */
  powerOff(status: number): void;
  reset(): void;
}

export interface SbiReturn {
  readonly error: number;
  readonly value: number;
}

export const ok = (value: number): SbiReturn => ({ error: SBI_SUCCESS, value: value | 0 });
export const fail = (error: number): SbiReturn => ({ error, value: 0 });

/** One call's arguments: a0-a5 and the function id (a6). */
export interface SbiCall {
  readonly fid: number;
  readonly args: readonly [number, number, number, number, number, number];
}

/** The extensions this SBI answers (Base's probe_extension says 1 for exactly these). */
export const SBI_EXTENSIONS: readonly number[] = [
  SBI_EXT.legacySetTimer, SBI_EXT.legacyPutchar, SBI_EXT.legacyGetchar, SBI_EXT.legacyShutdown,
  SBI_EXT.base, SBI_EXT.time, SBI_EXT.srst, SBI_EXT.dbcn,
];


import { guestImage } from './paths.js';

/** SBI spec version the firmware reports: 2.0 (SBI 4.1: major in bits 30:24, minor in 23:0). */
export const SBI_SPEC_VERSION = 0x02000000;
/** The firmware's SBI implementation ID, outside the registered range: 0x564C, "VL". */
export const SBI_IMPL_ID = 0x564c;
/** Implementation version: 1.0. */
export const SBI_IMPL_VERSION = 0x00010000;
/** Where the firmware enters the kernel, in S-mode with a0 = hart id and a1 = FDT. */
export const KERNEL_ENTRY = 0x80400000;
/**
 * SRST reason for "power off with exit status n": 0xE0000000 | n, in the range SBI 10.1 leaves
 * to the implementation. Reason 0 (no reason) gives status 0, reason 1 (system failure) status 1.
 */
export const SRST_REASON_STATUS = 0xe0000000;
/** Exit status of the `sbi-exit` payload. */
export const PAYLOAD_EXIT_STATUS = 42;

/** S-mode payloads that test the firmware (`-bios fw.elf -kernel <payload>`). */
export const firmwarePayloads = {
  /** Probes and calls every extension, then SRST shutdown with status 0. */
  probe: guestImage('firmware/sbi-probe.elf'),
  /** The same, ending with SRST shutdown and status PAYLOAD_EXIT_STATUS. */
  exit: guestImage('firmware/sbi-exit.elf'),
  /** The same, ending with the legacy shutdown call (0x08). */
  legacyShutdown: guestImage('firmware/sbi-legacy-shutdown.elf'),
  /** The same, ending with an SRST cold reboot (the finisher's reset). */
  reboot: guestImage('firmware/sbi-reboot.elf'),
} as const;

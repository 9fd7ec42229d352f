/* Constants of the RISC-V Supervisor Binary Interface, version 2.0 (riscv-sbi-doc), shared by
 * the firmware and its S-mode test payload. */
#ifndef VL_SBI_H
#define VL_SBI_H

/* Chapter 3, "Binary Encoding": standard error codes returned in a0. */
#define SBI_SUCCESS 0
#define SBI_ERR_FAILED (-1)
#define SBI_ERR_NOT_SUPPORTED (-2)
#define SBI_ERR_INVALID_PARAM (-3)
#define SBI_ERR_DENIED (-4)
#define SBI_ERR_INVALID_ADDRESS (-5)

/* Extension IDs (EID, in a7). */
#define SBI_EXT_LEGACY_SET_TIMER 0x00
#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_LEGACY_GETCHAR 0x02
#define SBI_EXT_LEGACY_SHUTDOWN 0x08
#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494D45 /* "TIME" */
#define SBI_EXT_SRST 0x53525354 /* "SRST" */
#define SBI_EXT_DBCN 0x4442434E /* "DBCN" */
#define SBI_EXT_HSM 0x48534D    /* "HSM", not implemented here */

/* Base extension function IDs (FID, in a6), chapter 4. */
#define SBI_BASE_GET_SPEC_VERSION 0
#define SBI_BASE_GET_IMPL_ID 1
#define SBI_BASE_GET_IMPL_VERSION 2
#define SBI_BASE_PROBE_EXTENSION 3
#define SBI_BASE_GET_MVENDORID 4
#define SBI_BASE_GET_MARCHID 5
#define SBI_BASE_GET_MIMPID 6

/* SRST, chapter 10. */
#define SBI_SRST_SHUTDOWN 0
#define SBI_SRST_COLD_REBOOT 1
#define SBI_SRST_WARM_REBOOT 2
#define SBI_SRST_REASON_NONE 0
#define SBI_SRST_REASON_FAILURE 1
/* virtlab's use of the SBI-implementation-specific reason range 0xE0000000-0xEFFFFFFF: a
 * shutdown with reason 0xE0000000 | n powers off with exit status n (0 <= n <= 0xFFFF). */
#define VL_SRST_REASON_STATUS 0xE0000000u

/* DBCN, chapter 12. */
#define SBI_DBCN_WRITE 0
#define SBI_DBCN_READ 1
#define SBI_DBCN_WRITE_BYTE 2

/* What this firmware reports: SBI spec 2.0, and an implementation ID outside the registered
 * range (0-11 are BBL, OpenSBI, Xvisor, KVM, RustSBI, Diosix, Coffer, Xen, PolarFire HSS,
 * coreboot, oreboot, bhyve): 0x564C is "VL" for virtlab. */
#define VL_SBI_SPEC_VERSION 0x02000000u
#define VL_SBI_IMPL_ID 0x564Cu
#define VL_SBI_IMPL_VERSION 0x00010000u /* 1.0 */

#endif

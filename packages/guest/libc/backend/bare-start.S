/* rv32-bare entry: M-mode at 0x8000_0000 (QEMU -bios none -kernel, or the lab board's loader).
 * Sets up the stack, clears .bss, installs a trap vector that reports and stops, and runs the
 * portable start with no arguments (sizes are compiled in). */
#include "crt.h"

  .section .text.start, "ax"
  .globl _start
_start:
  CRT_SETUP_STACK_AND_BSS
  la t0, __vl_bare_trap_entry
  csrw mtvec, t0
  li a0, 0
  li a1, 0
  call __vl_start
3:
  j 3b

  /* Any trap in a bare-metal workload is a bug: report mcause/mepc/mtval and stop. */
  .balign 4
__vl_bare_trap_entry:
  la sp, __stack_top
  csrr a0, mcause
  csrr a1, mepc
  csrr a2, mtval
  call __vl_bare_trap
4:
  j 4b

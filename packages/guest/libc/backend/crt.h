/* Start-up steps shared by the assembly entries of bare-metal programs (rv32-bare images, the
 * firmware's S-mode payload): set the stack pointer and zero .bss, using the linker script's
 * __stack_top, __bss_start and __bss_end. Clobbers t0, t1. */
#ifndef VL_CRT_H
#define VL_CRT_H

/* clang-format off */
#define CRT_SETUP_STACK_AND_BSS \
  la sp, __stack_top;           \
  la t0, __bss_start;           \
  la t1, __bss_end;             \
90:                             \
  bgeu t0, t1, 91f;             \
  sw zero, 0(t0);               \
  addi t0, t0, 4;               \
  j 90b;                        \
91:
/* clang-format on */

#endif

/* S-mode test payload entry at 0x8040_0000: a0 = hart id, a1 = FDT from the firmware. */
#include "../../libc/backend/crt.h"

  .section .text.start, "ax"
  .globl _start
_start:
  CRT_SETUP_STACK_AND_BSS
  call payload_main
1:
  j 1b

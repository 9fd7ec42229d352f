/* Entry of the hostile S-mode guests at 0x8040_0000 (a0 = hart id, a1 = device tree), and their
 * trap vector: every trap is recorded in hostile_trap (scause, stval, sepc, sstatus) and, for an
 * exception, the trapping instruction is skipped, so an attack that faults goes on with the
 * next; an interrupt turns STIE off, so a timer interrupt is taken once. */
#include "../libc/backend/crt.h"

  .section .text.start, "ax"
  .globl _start
_start:
  CRT_SETUP_STACK_AND_BSS
  la t0, hostile_vector
  csrw stvec, t0
  call hostile_main
1:
  j 1b

  .text
  .balign 4
hostile_vector:
  csrw sscratch, t0
  la t0, hostile_trap
  sw t1, 12(t0)
  csrr t1, scause
  sw t1, 0(t0)
  csrr t1, stval
  sw t1, 4(t0)
  csrr t1, sepc
  sw t1, 8(t0)
  csrr t1, sstatus
  sw t1, 16(t0)
  csrr t1, scause
  bgez t1, 4f
  li t1, 0x20            /* an interrupt (the timer's): STIE off, so it is taken once */
  csrc sie, t1
  j 3f
4:
  csrr t1, sepc
  addi t1, t1, 4         /* an exception: skip the instruction (no compressed code here) */
  csrw sepc, t1
3:
  lw t1, 12(t0)
  csrr t0, sscratch
  sret

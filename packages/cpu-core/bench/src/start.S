# Entry of the compute images. M-mode: stack and PMP entry 0 over all memory (S needs it; M runs
# the same way in both images), then either main directly (paging off) or, with -DSV32, an
# identity map built by setup_paging(), satp on, and mret to S.
.section .text.init
.globl _start
_start:
  la sp, stack_top
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
#ifdef SV32
  call setup_paging
  csrw satp, a0
  sfence.vma zero, zero
  la t0, s_entry
  csrw mepc, t0
  li t0, 0x1800
  csrc mstatus, t0
  li t0, 0x0800
  csrs mstatus, t0
  mret
s_entry:
#endif
  call main
1:
  j 1b

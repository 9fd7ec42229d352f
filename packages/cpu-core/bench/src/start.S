# Entry of the compute images. M-mode: stack, then either main directly (paging off) or, with
# -DSV32, PMP opened for S, an identity map built by setup_paging(), satp on, and mret to S.
.section .text.init
.globl _start
_start:
  la sp, stack_top
#ifdef SV32
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
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

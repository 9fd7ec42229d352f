# Start-up of the boot-protocol test kernel: it runs in S-mode, so no M-mode CSRs here.
  .section .text.start, "ax"
  .globl _start
_start:
  la sp, __stack_top
  la t0, boot_args
  sw a0, 0(t0)
  sw a1, 4(t0)
  sw a2, 8(t0)
  call main
  call finish
1:
  j 1b

  .section .data
  .align 2
  .globl boot_args
boot_args:
  .word 0, 0, 0

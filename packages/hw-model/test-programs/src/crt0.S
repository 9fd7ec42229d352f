# Start-up for the bare test programs: stack, zeroed .bss, a trap vector that reports an
# unexpected trap, main(), and its return value as the finisher's exit code.
  .section .text.start, "ax"
  .globl _start
_start:
  la sp, __stack_top
  la t0, __bss_start
  la t1, __bss_end
1:
  bgeu t0, t1, 2f
  sw zero, 0(t0)
  addi t0, t0, 4
  j 1b
2:
  # a0..a2 as the boot protocol left them (hart id, device tree, fw_dynamic_info).
  la t0, boot_args
  sw a0, 0(t0)
  sw a1, 4(t0)
  sw a2, 8(t0)
  la t0, unexpected_trap_entry
  csrw mtvec, t0
  call main
  call finish
3:
  j 3b

  .align 2
unexpected_trap_entry:
  la sp, __stack_top
  csrr a0, mcause
  csrr a1, mepc
  csrr a2, mtval
  call unexpected_trap
4:
  j 4b

  .section .data
  .align 2
  .globl boot_args
boot_args:
  .word 0, 0, 0

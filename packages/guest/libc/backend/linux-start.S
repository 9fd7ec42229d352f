/* rv32-process entry, as Linux starts a static ELF (RISC-V psABI, "Process Initialization"):
 * sp points at argc, followed by argv[], NULL, envp[], NULL, auxv. */
  .section .text.start, "ax"
  .globl _start
_start:
  lw a0, 0(sp)
  addi a1, sp, 4
  andi sp, sp, -16
  call __vl_start
1:
  j 1b

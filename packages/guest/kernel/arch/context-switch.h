// arch_switch, shared by every arch layer (included once by each, where the function goes).
// It executes nothing privileged: callee-saved registers out to old, in from new.
// Kernel thread switch: callee-saved registers only (the C calling convention saves the rest).
__asm__(".text\n"
        ".globl arch_switch\n"
        "arch_switch:\n"
        "  sw ra, 0(a0)\n  sw sp, 4(a0)\n"
        "  sw s0, 8(a0)\n  sw s1, 12(a0)\n  sw s2, 16(a0)\n  sw s3, 20(a0)\n"
        "  sw s4, 24(a0)\n  sw s5, 28(a0)\n  sw s6, 32(a0)\n  sw s7, 36(a0)\n"
        "  sw s8, 40(a0)\n  sw s9, 44(a0)\n  sw s10, 48(a0)\n  sw s11, 52(a0)\n"
        "  lw ra, 0(a1)\n  lw sp, 4(a1)\n"
        "  lw s0, 8(a1)\n  lw s1, 12(a1)\n  lw s2, 16(a1)\n  lw s3, 20(a1)\n"
        "  lw s4, 24(a1)\n  lw s5, 28(a1)\n  lw s6, 32(a1)\n  lw s7, 36(a1)\n"
        "  lw s8, 40(a1)\n  lw s9, 44(a1)\n  lw s10, 48(a1)\n  lw s11, 52(a1)\n"
        "  ret\n");

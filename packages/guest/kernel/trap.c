// Trap dispatch: system calls by the Linux RISC-V numbers (asm-generic/unistd.h), page faults,
// fatal exceptions, and the timer tick.
#include "kernel.h"

static i32 syscall(struct trapframe *tf) {
  u32 a0 = tf->x[10], a1 = tf->x[11], a2 = tf->x[12], a3 = tf->x[13], a4 = tf->x[14], a5 = tf->x[15];
  switch (tf->x[17]) {
    case 17: return sys_getcwd(a0, a1);
    case 23: return sys_dup((i32)a0);
    case 24: return sys_dup3((i32)a0, (i32)a1, a2);
    case 25: return sys_fcntl((i32)a0, (i32)a1, a2);
    case 34: return sys_mkdirat((i32)a0, a1, a2);
    case 35: return sys_unlinkat((i32)a0, a1, a2);
    case 49: return sys_chdir(a0);
    case 51: return sys_chroot(a0);
    case 56: return sys_openat((i32)a0, a1, a2, a3);
    case 57: return sys_close((i32)a0);
    case 59: return sys_pipe2(a0, a1);
    case 61: return sys_getdents64((i32)a0, a1, a2);
    case 62: return sys_lseek((i32)a0, (i32)a1, (i32)a2);
    case 63: return sys_read((i32)a0, a1, a2);
    case 64: return sys_write((i32)a0, a1, a2);
    case 80: return sys_fstat((i32)a0, a1);
    case 93:  // exit
    case 94:  // exit_group: one thread per process
      proc_exit((int)((a0 & 0xff) << 8));
    case 101: return sys_nanosleep(a0, a1, 0);
    case 113: return sys_clock_gettime(a0, a1, 0);
    case 115:  // clock_nanosleep(clock, flags, req, rem): relative sleeps only
      return a1 ? -EINVAL : sys_nanosleep(a2, a3, 0);
    case 124: return sys_sched_yield();
    case 129: return sys_kill((i32)a0, (i32)a1);
    case 160: return sys_uname(a0);
    case 161: return sys_sethostname(a0, a1);
    case 172: return sys_getpid();
    case 173: return sys_getppid();
    case 214: return sys_brk(a0);
    case 215: return sys_munmap(a0, a1);
    case 220: return sys_clone(a0, a1);
    case 221: return sys_execve(a0, a1, a2);
    case 222: return sys_mmap(a0, a1, a2, a3, (i32)a4, a5);
    case 260: return sys_wait4((i32)a0, a1, a2, a3);
    case 403: return sys_clock_gettime(a0, a1, 1);
    case 407: return a1 ? -EINVAL : sys_nanosleep(a2, a3, 1);
    case SYS_jail_create: return sys_jail_create(a0, a1);
    case SYS_jail_attach: return sys_jail_attach((i32)a0);
    case SYS_jail_remove: return sys_jail_remove((i32)a0);
    case SYS_jail_get: return sys_jail_get((i32)a0, a1, a2);
    default: return -ENOSYS;
  }
}

static const char *fault_name(u32 cause, int *sig) {
  *sig = SIGSEGV;
  switch (cause) {
    case EXC_ILLEGAL: *sig = SIGILL; return "illegal instruction";
    case EXC_BREAKPOINT: *sig = SIGTRAP; return "breakpoint";
    case EXC_INSN_MISALIGNED:
    case EXC_LOAD_MISALIGNED:
    case EXC_STORE_MISALIGNED: *sig = SIGBUS; return "misaligned access";
    default: return "segmentation fault";
  }
}

void trap_user(struct trapframe *tf) {
  struct proc *p = curproc;
  u32 cause = tf->cause;
  tf->cause = 0;
  if (cause == (CAUSE_INTERRUPT | IRQ_S_TIMER)) {
    yield();  // the scheduler arms the next slice
  } else if (cause == EXC_ECALL_U) {
    tf->pc += 4;
    i32 r = syscall(tf);
    if (curproc->tf == tf) tf->x[10] = (u32)r;
  } else if (cause == EXC_INSN_PAGE || cause == EXC_LOAD_PAGE || cause == EXC_STORE_PAGE) {
    int r = mm_fault(&p->mm, tf->tval, cause == EXC_STORE_PAGE, cause == EXC_INSN_PAGE);
    if (r == -ENOMEM) {
      proc_kill_fault("out of memory", 1, tf->tval);
      p->killed = SIGKILL;
    } else if (r < 0) {
      proc_kill_fault("segmentation fault", 1, tf->tval);
      p->killed = SIGSEGV;
    }
  } else if (cause & CAUSE_INTERRUPT) {
    // Other interrupts are not enabled; nothing to do.
  } else {
    int sig;
    const char *what = fault_name(cause, &sig);
    int memory = cause == EXC_LOAD_ACCESS || cause == EXC_STORE_ACCESS || cause == EXC_INSN_ACCESS ||
                 cause == EXC_LOAD_MISALIGNED || cause == EXC_STORE_MISALIGNED;
    proc_kill_fault(what, memory, tf->tval);
    p->killed = sig;
  }
  if (curproc->killed) proc_exit(curproc->killed);
  arch_return_to_user(curproc->tf);
}

void trap_kernel(u32 cause, u32 epc, u32 tval) {
  panic("kernel trap: scause 0x%x, sepc 0x%p, stval 0x%p", cause, epc, tval);
}

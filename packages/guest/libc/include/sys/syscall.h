/* Linux system-call numbers for RISC-V (the asm-generic table, include/uapi/asm-generic/unistd.h),
 * which the guest kernel implements. */
#ifndef VL_SYS_SYSCALL_H
#define VL_SYS_SYSCALL_H

#define SYS_getcwd 17
#define SYS_dup 23
#define SYS_dup3 24
#define SYS_mkdirat 34
#define SYS_unlinkat 35
#define SYS_chdir 49
#define SYS_openat 56
#define SYS_close 57
#define SYS_pipe2 59
#define SYS_getdents64 61
#define SYS_lseek 62
#define SYS_read 63
#define SYS_write 64
#define SYS_fstat 80
#define SYS_exit 93
#define SYS_exit_group 94
#define SYS_nanosleep 101
#define SYS_clock_gettime 113
#define SYS_sched_yield 124
#define SYS_kill 129
#define SYS_uname 160
#define SYS_getpid 172
#define SYS_getppid 173
#define SYS_brk 214
#define SYS_munmap 215
#define SYS_clone 220
#define SYS_execve 221
#define SYS_mmap 222
#define SYS_wait4 260

#endif

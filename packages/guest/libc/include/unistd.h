/* System calls of the process target (Linux RISC-V numbers, see sys/syscall.h). Only the
 * rv32-process backend defines these; bare-metal and WASI programs use stdio instead. */
#ifndef VL_UNISTD_H
#define VL_UNISTD_H

#include <stddef.h>
#include <stdint.h>

typedef int32_t ssize_t;
typedef int32_t off_t;
typedef int32_t pid_t;

ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);
int close(int fd);
_Noreturn void _exit(int status);
int brk(void *addr);
void *sbrk(intptr_t increment);
pid_t getpid(void);
pid_t getppid(void);
int sched_yield(void);
long syscall(long number, ...);

#endif

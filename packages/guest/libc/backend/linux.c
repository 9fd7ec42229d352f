/* rv32-process backend: Linux system calls on RISC-V (ecall with the number in a7, arguments in
 * a0-a5, result in a0, negative errno on failure), as implemented by the guest kernel. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../src/backend.h"

static long syscall6(long n, long a0, long a1, long a2, long a3, long a4, long a5) {
  register long r_a0 __asm__("a0") = a0;
  register long r_a1 __asm__("a1") = a1;
  register long r_a2 __asm__("a2") = a2;
  register long r_a3 __asm__("a3") = a3;
  register long r_a4 __asm__("a4") = a4;
  register long r_a5 __asm__("a5") = a5;
  register long r_a7 __asm__("a7") = n;
  __asm__ volatile("ecall"
                   : "+r"(r_a0)
                   : "r"(r_a1), "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a5), "r"(r_a7)
                   : "memory");
  return r_a0;
}

long syscall(long number, ...) {
  va_list ap;
  va_start(ap, number);
  long a[6];
  for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
  va_end(ap);
  return syscall6(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* The raw result is -errno on failure; the wrappers return it as is (there is no errno). */
ssize_t read(int fd, void *buf, size_t n) { return syscall6(SYS_read, fd, (long)buf, (long)n, 0, 0, 0); }
ssize_t write(int fd, const void *buf, size_t n) { return syscall6(SYS_write, fd, (long)buf, (long)n, 0, 0, 0); }
int close(int fd) { return (int)syscall6(SYS_close, fd, 0, 0, 0, 0, 0); }
pid_t getpid(void) { return (pid_t)syscall6(SYS_getpid, 0, 0, 0, 0, 0, 0); }
pid_t getppid(void) { return (pid_t)syscall6(SYS_getppid, 0, 0, 0, 0, 0, 0); }
int sched_yield(void) { return (int)syscall6(SYS_sched_yield, 0, 0, 0, 0, 0, 0); }

_Noreturn void _exit(int status) {
  syscall6(SYS_exit_group, status, 0, 0, 0, 0, 0);
  for (;;) syscall6(SYS_exit, status, 0, 0, 0, 0, 0);
}

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset) {
  long r = syscall6(SYS_mmap, (long)addr, (long)length, prot, flags, fd, offset);
  /* Linux returns -errno in the last page of the address space on failure. */
  return (unsigned long)r >= (unsigned long)-4095 ? MAP_FAILED : (void *)r;
}

int munmap(void *addr, size_t length) { return (int)syscall6(SYS_munmap, (long)addr, (long)length, 0, 0, 0, 0); }

/* brk(2) returns the new break, or the old one when the request fails (Linux semantics). */
static char *current_break;

int brk(void *addr) {
  char *result = (char *)syscall6(SYS_brk, (long)addr, 0, 0, 0, 0, 0);
  current_break = result;
  return result == addr ? 0 : -12; /* -ENOMEM */
}

void *sbrk(intptr_t increment) {
  if (current_break == NULL) current_break = (char *)syscall6(SYS_brk, 0, 0, 0, 0, 0, 0);
  char *old = current_break;
  if (increment == 0) return old;
  if (brk(old + increment) != 0) return (void *)-1;
  return old;
}

long __vl_write(int fd, const void *buf, size_t n) { return write(fd, buf, n); }
long __vl_read(int fd, void *buf, size_t n) { return read(fd, buf, n); }
_Noreturn void __vl_exit(int status) { _exit(status); }
void *__vl_sbrk(intptr_t increment) { return sbrk(increment); }

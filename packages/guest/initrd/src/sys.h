/* System calls the initrd's programs use beyond the libc's wrappers, by the Linux RISC-V numbers
 * (sys/syscall.h). Each returns the kernel's raw result: a value, or -errno. */
#ifndef INITRD_SYS_H
#define INITRD_SYS_H

#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#define AT_FDCWD (-100)
#define AT_REMOVEDIR 0x200
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_CREAT 0x40
#define O_TRUNC 0x200
#define O_APPEND 0x400
#define O_DIRECTORY 0x10000
#define SIGKILL 9
#define SIGSEGV 11
#define SIGTERM 15
#define SIGCHLD 17
#ifndef SYS_fcntl
#define SYS_fcntl 25
#endif

#define WIFEXITED(s) (((s)&0x7f) == 0)
#define WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define WTERMSIG(s) ((s)&0x7f)

struct timespec32 {
  int32_t tv_sec, tv_nsec;
};

static inline long sys_open(const char *path, int flags) { return syscall(SYS_openat, AT_FDCWD, (long)path, flags, 0644); }
static inline long sys_fork(void) { return syscall(SYS_clone, SIGCHLD, 0); }
static inline long sys_execve(const char *path, char *const *argv, char *const *envp) {
  return syscall(SYS_execve, (long)path, (long)argv, (long)envp);
}
static inline long sys_wait(long pid, int *status) { return syscall(SYS_wait4, pid, (long)status, 0, 0); }
static inline long sys_kill(long pid, int sig) { return syscall(SYS_kill, pid, sig); }
static inline long sys_pipe(int *fds) { return syscall(SYS_pipe2, (long)fds, 0); }
static inline long sys_lseek(int fd, long off, int whence) { return syscall(SYS_lseek, fd, off, whence); }
static inline long sys_mmap_anon(unsigned long len) { return syscall(SYS_mmap, 0, (long)len, 3, 0x22, -1, 0); }
static inline long sys_munmap(long addr, unsigned long len) { return syscall(SYS_munmap, addr, (long)len); }
static inline long sys_nanosleep(long sec, long nsec) {
  struct timespec32 ts = {(int32_t)sec, (int32_t)nsec};
  return syscall(SYS_nanosleep, (long)&ts, 0);
}

/* The platform timer: the `time` CSR, which the kernel lets U-mode read (scounteren). */
static inline uint64_t rdtime(void) {
  uint32_t hi, lo, hi2;
  do {
    __asm__ volatile("rdtimeh %0" : "=r"(hi));
    __asm__ volatile("rdtime %0" : "=r"(lo));
    __asm__ volatile("rdtimeh %0" : "=r"(hi2));
  } while (hi != hi2);
  return ((uint64_t)hi << 32) | lo;
}

/* Forks, runs `/bin/true code` in the child and returns its exit status: the check every test
 * program ends with, that the kernel still forks, execs and waits after what came before. */
static inline int run_true(const char *code) {
  long pid = sys_fork();
  if (pid == 0) {
    char *argv[] = {"true", (char *)code, 0};
    sys_execve("/bin/true", argv, 0);
    _exit(99);
  }
  int status = 0;
  sys_wait(pid, &status);
  return WEXITSTATUS(status);
}

/* "EFAULT" for -14 and so on: the Linux names of the errors the tests look for. */
static inline const char *errname(long r) {
  static const char *const names[] = {"OK", "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG",
                                      "ENOEXEC", "EBADF", "ECHILD", "EAGAIN", "ENOMEM", "EACCES", "EFAULT",
                                      "ENOTBLK", "EBUSY", "EEXIST", "EXDEV", "ENODEV", "ENOTDIR", "EISDIR",
                                      "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC",
                                      "ESPIPE", "EROFS", "EMLINK", "EPIPE"};
  if (r >= 0) return "OK";
  if (-r < (long)(sizeof names / sizeof names[0])) return names[-r];
  return -r == 38 ? "ENOSYS" : -r == 39 ? "ENOTEMPTY" : "E?";
}

#endif

/* fuzz: system calls with arguments drawn from pools of good and bad values (null, kernel and
 * MMIO addresses, unmapped and read-only memory, huge lengths, closed and out-of-range fds), in a
 * child process, from a fixed seed. The kernel must answer every call with a value or an error
 * and keep running: afterwards the parent forks and execs once more. Blocking is avoided by
 * construction (console fds closed and never reopened, pipes non-blocking, sleeps short), so the
 * run is finite.
 * Usage: fuzz [calls [seed]]   (defaults 20000 and 0x9e3779b9) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys.h"

static uint32_t seed = 0x9e3779b9u;

static uint32_t next(void) {
  seed ^= seed << 13;
  seed ^= seed >> 17;
  seed ^= seed << 5;
  return seed;
}

#define PICK(pool) (pool)[next() % (sizeof(pool) / sizeof((pool)[0]))]

static char scratch[3 * 4096];
static const char read_only[64] = "read-only data";
static const struct timespec32 short_sleep = {0, 100000};
static const char *const paths[] = {"/tmp/f", "/tmp/d", "/tmp/d/g", "/tmp", "/", "/bin/notelf", "/nonexistent",
                                    "/bin/true/x", "", "/dev/vda", "..", "/tmp/f/"};

static long pointer(void) {
  const long pool[] = {0,          1,          0x80400000, 0x10000000, (long)0xfffffff0, 0x30000000, 0x7f800000,
                       (long)read_only, (long)scratch, (long)scratch + 4093, (long)scratch + 3 * 4096 - 8, 0x0fffff00};
  return PICK(pool);
}

static long length(void) {
  const long pool[] = {0, 1, 16, 100, 4096, 8192, 0x7fffffff, -1, 100000};
  return PICK(pool);
}

static long fd(void) {
  const long pool[] = {-1, 0, 3, 4, 5, 6, 7, 8, 31, 32, 99, -100};
  return PICK(pool);
}

static long path(void) { return next() % 4 == 0 ? pointer() : (long)PICK(paths); }

static long small(void) {
  const long pool[] = {0, 1, 2, 3, -1, 0x40, 0x200, 0x241, 0x10000, 0x80000, 0x800, 0x7fffffff};
  return PICK(pool);
}

/* One call: a system call number the kernel implements (or not) with pooled arguments. */
static void one_call(void) {
  long r;
  switch (next() % 30) {
    case 0: r = syscall(SYS_read, fd(), pointer(), length()); break;
    case 1: r = syscall(SYS_write, fd(), pointer(), length()); break;
    case 2: r = syscall(SYS_openat, next() % 2 ? AT_FDCWD : fd(), path(), small(), 0644); break;
    case 3: r = syscall(SYS_close, fd()); break;
    case 4: r = syscall(SYS_lseek, fd(), small(), small()); break;
    case 5: r = syscall(SYS_fstat, fd(), pointer()); break;
    case 6: r = syscall(SYS_getdents64, fd(), pointer(), length()); break;
    case 7: r = syscall(SYS_mkdirat, AT_FDCWD, path(), 0755); break;
    case 8: r = syscall(SYS_unlinkat, AT_FDCWD, path(), next() % 2 ? 0x200 : small()); break;
    case 9: r = syscall(SYS_chdir, path()); break;
    case 10: r = syscall(SYS_dup, fd()); break;
    case 11: r = syscall(SYS_dup3, fd(), fd(), small()); break;
    case 12: r = syscall(SYS_pipe2, next() % 2 ? (long)scratch : pointer(), 0x800); break;
    case 13: r = syscall(SYS_brk, next() % 2 ? 0 : (long)(0x00100000 + (next() % 64) * 4096)); break;
    case 14: r = syscall(SYS_mmap, next() % 2 ? 0 : pointer(), length(), small(), small(), fd(), small()); break;
    case 15: r = syscall(SYS_munmap, pointer() & ~0xfffL, length()); break;
    case 16: r = syscall(SYS_clock_gettime, small(), pointer()); break;
    case 17: {
      /* Never a timespec from writable memory (scratch, or anything mmap may have mapped): its
       * bytes could ask for a sleep of years. */
      const long requests[] = {(long)&short_sleep, 0, 0x80400000, (long)0xfffffff0, 0x10000000};
      r = syscall(SYS_nanosleep, PICK(requests), pointer());
      break;
    }
    case 18: r = syscall(SYS_uname, pointer()); break;
    case 19: r = syscall(SYS_getcwd, pointer(), length()); break;
    case 20: r = syscall(SYS_wait4, next() % 2 ? -1 : small(), pointer(), 1, 0); break;
    case 21: r = syscall(SYS_kill, next() % 2 ? 9999 : -1, 0); break;
    case 22: r = syscall(SYS_execve, path(), pointer(), pointer()); break;
    case 23: r = syscall(SYS_sched_yield); break;
    case 24: r = syscall(SYS_getppid); break;
    case 25: r = syscall(1000 + (long)(next() % 100)); break;
    case 26: r = syscall(SYS_clone, small(), 0); break;
    case 27: r = syscall(SYS_write, fd(), (long)scratch, (long)(next() % 6000)); break;
    case 28: r = syscall(SYS_read, fd(), (long)scratch, (long)(next() % 6000)); break;
    default: r = syscall(SYS_openat, AT_FDCWD, (long)"/tmp/f", 0x42, 0644); break;
  }
  if (r == 0 && seed % 7 == 99) _exit(1); /* never: keeps r used without printing it */
}

int main(int argc, char **argv) {
  int calls = argc > 1 ? atoi(argv[1]) : 20000;
  if (argc > 2) seed = (uint32_t)strtoul(argv[2], 0, 0) | 1;
  printf("fuzz: %d calls in a child\n", calls);
  fflush_stdout();
  long pid = sys_fork();
  if (pid == 0) {
    /* The console is not for the fuzzer: a read would wait for a person. */
    for (int i = 0; i < 3; i++) close(i);
    for (int i = 0; i < calls; i++) {
      long me = getpid();
      one_call();
      if (getpid() != me) _exit(0); /* a successful clone: the copy leaves at once */
    }
    _exit(0);
  }
  int status = 0;
  long r = sys_wait(pid, &status);
  /* Children the fuzzer forked were reparented to process 1: reap them. */
  int orphans = 0;
  while (sys_wait(-1, 0) > 0) orphans++;
  if (r != pid) printf("fuzz: wait: %s\n", errname(r));
  else if (WIFEXITED(status)) printf("fuzz: child exited with %d\n", WEXITSTATUS(status));
  else printf("fuzz: child killed by signal %d\n", WTERMSIG(status));
  fflush_stdout();
  printf("fuzz: kernel still running: /bin/true 7 exited with %d\n", run_true("7"));
  return orphans < 0;
}

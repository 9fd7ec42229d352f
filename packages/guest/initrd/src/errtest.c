/* errtest: drives the kernel's error paths and prints one line per check with the raw result,
 * so a test can compare the transcript with what Linux specifies. The kernel must survive all of
 * it: the last lines fork, exec and wait once more. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys.h"

#define KERNEL_ADDR 0x80400000L

static void check(const char *what, long r) { printf("%s: %s\n", what, errname(r)); }

static void bad_pointers(void) {
  check("write from null", write(1, (void *)0, 4));
  check("write from kernel memory", write(1, (void *)KERNEL_ADDR, 4));
  int fd = (int)sys_open("/bin/errtest", O_RDONLY);
  check("read into kernel memory", read(fd, (void *)KERNEL_ADDR, 16));
  check("read into unmapped memory", read(fd, (void *)0x30000000, 16));
  check("read into the MMIO window", read(fd, (void *)0x10000000, 16));
  close(fd);
  check("open with bad path pointer", sys_open((const char *)0x5, O_RDONLY));
  check("pipe2 with bad array", syscall(SYS_pipe2, KERNEL_ADDR, 0));
  check("clock_gettime with bad pointer", syscall(SYS_clock_gettime, 1, 0x4, 0));
  check("execve with bad path", sys_execve((const char *)0x7, 0, 0));
  check("uname into kernel memory", syscall(SYS_uname, KERNEL_ADDR));
  check("fstat into null", syscall(SYS_fstat, 1, 0));
}

static void bad_fds(void) {
  char b[4];
  check("read fd 99", read(99, b, 4));
  check("write fd -1", write(-1, b, 4));
  check("close fd 42", close(42));
  check("fstat fd 77", syscall(SYS_fstat, 77, (long)b));
  check("dup fd 31", syscall(SYS_dup, 31));
  check("dup3 to fd 4096", syscall(SYS_dup3, 1, 4096, 0));
  int fd = (int)sys_open("/bin/errtest", O_RDONLY);
  check("write to read-only fd", write(fd, b, 4));
  close(fd);
  check("lseek closed fd", sys_lseek(fd, 0, 0));
  int p[2];
  sys_pipe(p);
  check("lseek on a pipe", sys_lseek(p[0], 0, 0));
  check("write to pipe read end", write(p[0], b, 1));
  close(p[0]);
  check("write to pipe without readers", write(p[1], b, 1));
  close(p[1]);
}

static void files(void) {
  check("open missing file", sys_open("/no/such/file", O_RDONLY));
  check("open file as directory", sys_open("/bin/errtest/x", O_RDONLY));
  check("open directory for writing", sys_open("/bin", O_WRONLY));
  check("open file with O_DIRECTORY", sys_open("/bin/errtest", O_RDONLY | O_DIRECTORY));
  check("mkdir /tmp/d", syscall(SYS_mkdirat, AT_FDCWD, (long)"/tmp/d", 0755));
  check("mkdir /tmp/d again", syscall(SYS_mkdirat, AT_FDCWD, (long)"/tmp/d", 0755));
  int fd = (int)sys_open("/tmp/d/f", O_CREAT | O_WRONLY);
  check("create /tmp/d/f", fd < 0 ? fd : 0);
  close(fd);
  check("rmdir non-empty /tmp/d", syscall(SYS_unlinkat, AT_FDCWD, (long)"/tmp/d", AT_REMOVEDIR));
  check("unlink directory /tmp/d", syscall(SYS_unlinkat, AT_FDCWD, (long)"/tmp/d", 0));
  check("unlink /tmp/d/f", syscall(SYS_unlinkat, AT_FDCWD, (long)"/tmp/d/f", 0));
  check("rmdir /tmp/d", syscall(SYS_unlinkat, AT_FDCWD, (long)"/tmp/d", AT_REMOVEDIR));
  check("chdir to a file", syscall(SYS_chdir, (long)"/bin/errtest"));
  check("read a directory", read((int)sys_open("/bin", O_RDONLY), (char[4]){0}, 4));
}

static void memory(void) {
  check("mmap file-backed", syscall(SYS_mmap, 0, 4096, 3, 0x02, 0, 0));
  check("mmap zero length", syscall(SYS_mmap, 0, 0, 3, 0x22, -1, 0));
  check("munmap unaligned", sys_munmap(0x20000001, 4096));
  check("unknown system call 999", syscall(999));
}

/* Runs fn in a child and reports how the child ended. */
static void in_child(const char *what, void (*fn)(void)) {
  fflush_stdout();
  long pid = sys_fork();
  if (pid == 0) {
    fn();
    _exit(0);
  }
  int status = 0;
  long r = sys_wait(pid, &status);
  if (r != pid) printf("%s: wait returned %s\n", what, errname(r));
  else if (WIFEXITED(status)) printf("%s: child exited with %d\n", what, WEXITSTATUS(status));
  else printf("%s: child killed by signal %d\n", what, WTERMSIG(status));
}

static void null_deref(void) { *(volatile int *)0 = 1; }
static void wild_jump(void) { ((void (*)(void))0x40)(); }
static void illegal(void) { __asm__ volatile(".word 0"); }
static void kernel_write(void) { *(volatile int *)KERNEL_ADDR = 1; }
static void exec_notelf(void) {
  char *argv[] = {"notelf", 0};
  long r = sys_execve("/bin/notelf", argv, 0);
  printf("exec of a non-ELF file: %s\n", errname(r));
  fflush_stdout();
  _exit(r == -8 ? 3 : 4);
}
static void exec_missing(void) {
  char *argv[] = {"missing", 0};
  printf("exec of a missing file: %s\n", errname(sys_execve("/bin/missing", argv, 0)));
  fflush_stdout();
}
static void exec_directory(void) {
  char *argv[] = {"bin", 0};
  printf("exec of a directory: %s\n", errname(sys_execve("/bin", argv, 0)));
  fflush_stdout();
}

static void signals(void) {
  fflush_stdout();
  long pid = sys_fork();
  if (pid == 0) {
    sys_nanosleep(100, 0);
    _exit(0);
  }
  check("kill SIGTERM sleeping child", sys_kill(pid, SIGTERM));
  int status;
  sys_wait(pid, &status);
  printf("SIGTERM: child killed by signal %d\n", WTERMSIG(status));
  pid = sys_fork();
  if (pid == 0)
    for (;;) {
    }
  sched_yield();
  check("kill SIGKILL spinning child", sys_kill(pid, SIGKILL));
  sys_wait(pid, &status);
  printf("SIGKILL: child killed by signal %d\n", WTERMSIG(status));
  check("kill missing pid", sys_kill(9999, SIGTERM));
  check("kill bad signal", sys_kill(getpid(), 99));
  check("wait without children", sys_wait(-1, &status));
}

/* Two children that never block: each reports once through its own pipe, then spins. The parent
 * hears from both only if the timer preempts whichever runs first. */
static void preemption(void) {
  long pids[2];
  int pipes[2][2];
  for (int i = 0; i < 2; i++) {
    sys_pipe(pipes[i]);
    fflush_stdout();
    pids[i] = sys_fork();
    if (pids[i] == 0) {
      volatile uint32_t spin = 0;
      for (;;) {
        if (++spin == 100000) write(pipes[i][1], "x", 1);
      }
    }
  }
  char c;
  long got = read(pipes[0][0], &c, 1) + read(pipes[1][0], &c, 1);
  for (int i = 0; i < 2; i++) {
    sys_kill(pids[i], SIGKILL);
    sys_wait(pids[i], 0);
    close(pipes[i][0]);
    close(pipes[i][1]);
  }
  printf("preemption: %s\n", got == 2 ? "both spinning children ran" : "a child never ran");
}

/* After fork each process sees its own memory, including pages the kernel writes for it. */
static int global_value = 1;
static char file_buffer[16];

static void fork_isolation(void) {
  char stack_value[8] = "parent";
  fflush_stdout();
  long pid = sys_fork();
  if (pid == 0) {
    global_value = 2;
    strcpy(stack_value, "child");
    long fd = sys_open("/bin/notelf", O_RDONLY);
    long n = read((int)fd, file_buffer, 9);
    close((int)fd);
    _exit(global_value == 2 && !strcmp(stack_value, "child") && n == 9 && !memcmp(file_buffer, "#!/bin/sh", 9) ? 0 : 1);
  }
  int status = 0;
  sys_wait(pid, &status);
  printf("fork isolation: child %s; parent sees global %d, stack '%s', buffer '%s'\n",
         WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "ok" : "FAILED", global_value, stack_value, file_buffer);
}

/* Descriptors opened with O_CLOEXEC (or marked with fcntl) are closed by execve; others stay. */
static void close_on_exec(void) {
  long keep = sys_open("/bin/true", O_RDONLY);
  long drop = syscall(SYS_openat, AT_FDCWD, (long)"/bin/true", O_RDONLY | 0x80000, 0);
  long marked = syscall(SYS_dup, keep);
  check("fcntl F_SETFD FD_CLOEXEC", syscall(SYS_fcntl, marked, 2, 1));
  printf("fcntl F_GETFD: %ld %ld %ld\n", syscall(SYS_fcntl, keep, 1), syscall(SYS_fcntl, drop, 1), syscall(SYS_fcntl, marked, 1));
  fflush_stdout();
  long pid = sys_fork();
  if (pid == 0) {
    char a[12], b[12], c[12];
    snprintf(a, sizeof a, "%ld", keep);
    snprintf(b, sizeof b, "%ld", drop);
    snprintf(c, sizeof c, "%ld", marked);
    char *argv[] = {"errtest", "fds", a, b, c, 0};
    sys_execve("/bin/errtest", argv, 0);
    _exit(99);
  }
  int status;
  sys_wait(pid, &status);
  close((int)keep);
  close((int)drop);
  close((int)marked);
}

static void fork_bomb(void) {
  int gate[2];
  sys_pipe(gate);
  int children = 0;
  long r;
  fflush_stdout();
  for (;;) {
    r = sys_fork();
    if (r == 0) {
      char c;
      close(gate[1]);
      read(gate[0], &c, 1); /* blocks until the parent closes the write end */
      _exit(7);
    }
    if (r < 0) break;
    children++;
  }
  printf("fork bomb: %s after %d children\n", errname(r), children);
  close(gate[1]);
  close(gate[0]);
  int reaped = 0, sevens = 0, status;
  while (sys_wait(-1, &status) > 0) {
    reaped++;
    sevens += WIFEXITED(status) && WEXITSTATUS(status) == 7;
  }
  printf("fork bomb: reaped %d, %d exited with 7\n", reaped, sevens);
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "fds")) { /* after execve: which descriptors survived */
    char st[128];
    for (int i = 2; i < argc; i++) printf("after execve, fd %s: %s\n", argv[i], errname(syscall(SYS_fstat, atoi(argv[i]), (long)st)));
    return 0;
  }
  printf("errtest: pid %d\n", getpid());
  bad_pointers();
  bad_fds();
  files();
  memory();
  in_child("null dereference", null_deref);
  in_child("jump to unmapped code", wild_jump);
  in_child("illegal instruction", illegal);
  in_child("store to kernel memory", kernel_write);
  in_child("exec of a non-ELF file", exec_notelf);
  in_child("exec of a missing file", exec_missing);
  in_child("exec of a directory", exec_directory);
  signals();
  preemption();
  fork_isolation();
  close_on_exec();
  fork_bomb();
  fflush_stdout();
  printf("kernel still running: /bin/true 42 exited with %d\n", run_true("42"));
  return 0;
}

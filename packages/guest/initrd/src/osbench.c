/* osbench: the lmbench set for the guest kernel. Each item runs a fixed number of iterations,
 * prints its counts and a checksum (ordinary lines, identical on every machine), and its time
 * per operation from the `time` CSR as an `@metric` line (left out of equivalence checks).
 * Usage: osbench [scale]   (iterations are multiplied by scale, default 1) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys.h"

static unsigned scale = 1;
static uint64_t started;

static void begin(void) { started = rdtime(); }

/* Reports ticks per operation with two decimals (integer arithmetic only). */
static void metric_ticks(const char *name, uint64_t ticks, unsigned ops) {
  uint64_t centi = ticks * 100 / ops;
  printf("@metric osbench.%s %llu.%02llu ticks/op\n", name, (unsigned long long)(centi / 100),
         (unsigned long long)(centi % 100));
}

static void metric(const char *name, unsigned ops) { metric_ticks(name, rdtime() - started, ops); }

static void null_syscall(void) {
  unsigned n = 20000 * scale;
  uint32_t sum = 0;
  begin();
  for (unsigned i = 0; i < n; i++) sum += (uint32_t)getppid();
  metric("null_syscall", n);
  printf("null syscall (getppid): %u calls, checksum %u\n", n, sum);
}

static void fork_exit_wait(void) {
  unsigned n = 50 * scale;
  uint32_t sum = 0;
  fflush_stdout();
  begin();
  for (unsigned i = 0; i < n; i++) {
    long pid = sys_fork();
    if (pid == 0) _exit((int)(i & 0x7f));
    int status = 0;
    sys_wait(pid, &status);
    sum += WEXITSTATUS(status);
  }
  metric("fork_exit_wait", n);
  printf("fork+exit+wait: %u processes, checksum %u\n", n, sum);
}

static void fork_execve(void) {
  unsigned n = 20 * scale;
  uint32_t sum = 0;
  fflush_stdout();
  begin();
  for (unsigned i = 0; i < n; i++) {
    long pid = sys_fork();
    if (pid == 0) {
      char arg[12];
      snprintf(arg, sizeof arg, "%u", i % 100);
      char *argv[] = {"true", arg, 0};
      sys_execve("/bin/true", argv, 0);
      _exit(255);
    }
    int status = 0;
    sys_wait(pid, &status);
    sum += WEXITSTATUS(status);
  }
  metric("fork_execve", n);
  printf("fork+execve+wait: %u programs, checksum %u\n", n, sum);
}

/* A token goes back and forth through two pipes; each side adds one. */
static void pipe_pingpong(void) {
  unsigned n = 1000 * scale;
  int to_child[2], to_parent[2];
  sys_pipe(to_child);
  sys_pipe(to_parent);
  fflush_stdout();
  long pid = sys_fork();
  if (pid == 0) {
    uint32_t token;
    for (unsigned i = 0; i < n; i++) {
      if (read(to_child[0], &token, 4) != 4) _exit(1);
      token++;
      write(to_parent[1], &token, 4);
    }
    _exit(0);
  }
  uint32_t token = 0;
  begin();
  for (unsigned i = 0; i < n; i++) {
    token++;
    write(to_child[1], &token, 4);
    read(to_parent[0], &token, 4);
  }
  metric("pipe_roundtrip", n);
  sys_wait(pid, 0);
  for (int i = 0; i < 2; i++) close(to_child[i]), close(to_parent[i]);
  printf("pipe ping-pong: %u round trips, token %u\n", n, token);
}

static void page_faults(void) {
  unsigned pages = 256 * scale;
  long base = sys_mmap_anon(pages * 4096);
  if (base < 0) {
    printf("page fault: mmap failed: %s\n", errname(base));
    return;
  }
  volatile uint32_t *p = (volatile uint32_t *)base;
  begin();
  for (unsigned i = 0; i < pages; i++) p[i * 1024] = i;  /* first touch: a demand-zero fault */
  metric("page_fault", pages);
  uint32_t sum = 0, zeros = 0;
  for (unsigned i = 0; i < pages; i++) {
    sum += p[i * 1024];
    zeros += p[i * 1024 + 1] == 0;
  }
  sys_munmap(base, pages * 4096);
  printf("page fault on first touch: %u pages, checksum %u, zero-filled %u\n", pages, sum, zeros);
}

static void mmap_munmap(void) {
  unsigned rounds = 100 * scale, pages = 16;
  uint32_t sum = 0;
  begin();
  for (unsigned r = 0; r < rounds; r++) {
    long base = sys_mmap_anon(pages * 4096);
    if (base < 0) {
      printf("mmap: %s\n", errname(base));
      return;
    }
    volatile uint32_t *p = (volatile uint32_t *)base;
    for (unsigned i = 0; i < pages; i++) p[i * 1024] = r + i;
    for (unsigned i = 0; i < pages; i++) sum += p[i * 1024];
    sys_munmap(base, pages * 4096);
  }
  metric("mmap_munmap_16_pages", rounds);
  printf("mmap+touch+munmap of %u pages: %u rounds, checksum %u\n", pages, rounds, sum);
}

static uint32_t fnv(const uint8_t *p, unsigned n, uint32_t h) {
  for (unsigned i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

static uint8_t buf[8192];

static void file_io(void) {
  unsigned chunks = 64 * scale;
  for (unsigned i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)(i * 7 + 3);
  long fd = sys_open("/tmp/osbench.dat", O_CREAT | O_TRUNC | O_RDWR);
  if (fd < 0) {
    printf("file: open failed: %s\n", errname(fd));
    return;
  }
  begin();
  for (unsigned i = 0; i < chunks; i++) {
    buf[0] = (uint8_t)i;
    write((int)fd, buf, 4096);
  }
  metric("file_write_4k", chunks);
  sys_lseek((int)fd, 0, 0);
  uint32_t h = 2166136261u;
  unsigned total = 0;
  uint64_t spent = 0; /* in read() only: the checksum is not part of the operation */
  for (;;) {
    uint64_t t = rdtime();
    long n = read((int)fd, buf, 4096);
    spent += rdtime() - t;
    if (n <= 0) break;
    h = fnv(buf, (unsigned)n, h);
    total += (unsigned)n;
  }
  metric_ticks("file_read_4k", spent, chunks);
  close((int)fd);
  syscall(SYS_unlinkat, AT_FDCWD, (long)"/tmp/osbench.dat", 0);
  printf("file write+read in the memory file system: %u bytes, fnv1a %08x\n", total, h);
}

static void block_read(void) {
  long fd = sys_open("/dev/vda", O_RDONLY);
  if (fd < 0) {
    printf("block read: no /dev/vda (%s)\n", errname(fd));
    return;
  }
  unsigned chunks = 64 * scale, total = 0;
  uint32_t h = 2166136261u;
  uint64_t spent = 0;
  for (unsigned i = 0; i < chunks; i++) {
    uint64_t t = rdtime();
    long n = read((int)fd, buf, 4096);
    if (n <= 0) {
      if (sys_lseek((int)fd, 0, 0) < 0 || i == 0) break;
      n = read((int)fd, buf, 4096);
      if (n <= 0) break;
    }
    spent += rdtime() - t;
    h = fnv(buf, (unsigned)n, h);
    total += (unsigned)n;
  }
  metric_ticks("block_read_4k", spent, chunks);
  close((int)fd);
  printf("block read through virtio-blk: %u bytes, fnv1a %08x\n", total, h);
}

int main(int argc, char **argv) {
  if (argc > 1) scale = (unsigned)atoi(argv[1]);
  if (scale == 0) scale = 1;
  printf("osbench: scale %u\n", scale);
  null_syscall();
  fork_exit_wait();
  fork_execve();
  pipe_pingpong();
  page_faults();
  mmap_munmap();
  file_io();
  block_read();
  printf("osbench: done\n");
  return 0;
}

/* memhog: a child touches anonymous memory until the kernel runs out of pages and kills it.
 * Twice: the two children must get exactly as many pages, or the kernel leaked memory. The
 * kernel stays up and the parent goes on (fork and exec afterwards). */
#include <stdio.h>

#include "sys.h"

#define CHUNK (16u << 20)

/* Returns how many pages the child touched before it was killed, or -1. */
static long round_of(int round) {
  int report[2];
  sys_pipe(report);
  fflush_stdout();
  long pid = sys_fork();
  if (pid == 0) {
    close(report[0]);
    uint32_t pages = 0;
    for (;;) {
      long base = sys_mmap_anon(CHUNK);
      if (base < 0) _exit(2); /* address space full before memory: not what this test wants */
      for (uint32_t off = 0; off < CHUNK; off += 4096) {
        *(volatile uint32_t *)(base + off) = off;
        if (++pages % 64 == 0) write(report[1], &pages, 4);
      }
    }
  }
  close(report[1]);
  uint32_t last = 0, value;
  while (read(report[0], &value, 4) == 4) last = value;
  close(report[0]);
  int status = 0;
  sys_wait(pid, &status);
  if (WIFEXITED(status)) printf("round %d: child exited with %d\n", round, WEXITSTATUS(status));
  else printf("round %d: child killed by signal %d\n", round, WTERMSIG(status));
  return WIFEXITED(status) ? -1 : (long)last;
}

int main(void) {
  long first = round_of(1);
  long second = round_of(2);
  printf("memhog: %s pages in both rounds (more than 16 MiB: %s)\n", first == second ? "the same" : "DIFFERENT",
         first > 4096 ? "yes" : "no");
  fflush_stdout();
  printf("memhog: kernel still running: /bin/true 5 exited with %d\n", run_true("5"));
  return 0;
}

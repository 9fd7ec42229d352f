/* jattack: the isolation battery, run inside a jail. Each attack prints one line
 * `attack <name>: <what happened>` with the errno the kernel answered, so the host can check it
 * against what the jail's configuration implies. Usage: jattack <attack>... (or `all`); `sleep`
 * waits 50 ms (so neighbour runs have started), `cpuhogN` spins in N processes. */
#include <stdio.h>
#include <string.h>

#include "jail.h"

/* The host puts this file at the host's root, outside every jail. */
#define SECRET "etc/host-secret"

static void report(const char *name, const char *what, long r) { printf("attack %s: %s %s\n", name, what, errname(r)); }

static void paths(void) {
  report("path-dotdot", "open ../../../" SECRET, sys_open("../../../../" SECRET, O_RDONLY));
  report("path-absolute", "open /../../" SECRET, sys_open("/../../../" SECRET, O_RDONLY));
  syscall(SYS_chdir, (long)"/tmp");
  report("path-chdir", "chdir ../../../..", syscall(SYS_chdir, (long)"../../../.."));
  char cwd[64] = {0};
  syscall(SYS_getcwd, (long)cwd, sizeof cwd);
  printf("attack path-chdir: cwd after is %s\n", cwd);
  report("path-chdir", "open " SECRET " from there", sys_open(SECRET, O_RDONLY));
}

/* chroot into a subdirectory without chdir, then walk up: the classic escape. */
static void chroot_escape(void) {
  syscall(SYS_mkdirat, AT_FDCWD, (long)"/tmp/cage", 0755);
  syscall(SYS_chdir, (long)"/");
  report("chroot", "chroot /tmp/cage", sys_chroot("/tmp/cage"));
  for (int i = 0; i < 8; i++) syscall(SYS_chdir, (long)"..");
  report("chroot", "open " SECRET " after 8 x chdir ..", sys_open(SECRET, O_RDONLY));
  long fd = sys_open("bin/true", O_RDONLY);
  printf("attack chroot: the walk stopped at the jail's root (bin/true there: %s)\n", errname(fd));
  if (fd >= 0) close((int)fd);
  report("chroot", "chroot . (back to the jail root)", sys_chroot("."));
}

static void signals(void) {
  report("signal", "kill(1, SIGKILL)", sys_kill(1, SIGKILL));
  report("wait", "wait4(1)", sys_wait(1, 0));
  printf("attack signal: getppid is %ld\n", (long)getppid());
  int seen = 0;
  for (long pid = 1; pid <= 64; pid++) seen += sys_kill(pid, 0) == 0;
  printf("attack signal: processes visible: %d\n", seen);
}

static void fork_bomb(void) {
  long kids[64];
  int n = 0;
  long r = 0;
  fflush_stdout();
  while (n < 64) {
    r = sys_fork();
    if (r == 0) {
      sys_nanosleep(1000, 0); /* a long sleep: killed below */
      _exit(0);
    }
    if (r < 0) break;
    kids[n++] = r;
  }
  printf("attack forkbomb: %d children, then fork gave %s\n", n, errname(r < 0 ? r : 0));
  for (int i = 0; i < n; i++) sys_kill(kids[i], SIGKILL);
  for (int i = 0; i < n; i++) sys_wait(kids[i], 0);
}

static void memory_hog(void) {
  int p[2];
  sys_pipe(p);
  fflush_stdout();
  long pid = sys_fork();
  if (pid == 0) {
    close(p[0]);
    uint32_t pages = 0;
    long base = sys_mmap_anon(64u << 20);
    if (base < 0) _exit(2);
    for (uint32_t off = 0; off < (64u << 20); off += 4096) {
      *(volatile uint32_t *)(base + off) = off;
      pages++;
      write(p[1], &pages, 4);
    }
    _exit(0);
  }
  close(p[1]);
  uint32_t last = 0, v;
  while (read(p[0], &v, 4) == 4) last = v;
  close(p[0]);
  int st = 0;
  sys_wait(pid, &st);
  struct jail_info ji;
  jail_get(0, &ji);
  if (WIFEXITED(st)) printf("attack memhog: child exited with %d after %u pages\n", WEXITSTATUS(st), last);
  else printf("attack memhog: child killed by signal %d after %u pages; jail peak %u of %u pages\n", WTERMSIG(st), last, ji.memory_peak, ji.memoryuse);
}

static void fd_exhaust(void) {
  long fds[64];
  int n = 0;
  long r = 0;
  while (n < 64 && (r = sys_open("/bin/true", O_RDONLY)) >= 0) fds[n++] = r;
  printf("attack files: opened %d more, then open gave %s\n", n, errname(r < 0 ? r : 0));
  for (int i = 0; i < n; i++) close((int)fds[i]);
}

static void host_name(void) {
  report("hostname", "sethostname(\"owned\")", sys_sethostname("owned", 5));
  char u[6 * 65];
  syscall(SYS_uname, (long)u);
  printf("attack hostname: uname nodename is %s\n", u + 65);
}

static void raw_disk(void) { report("rawdisk", "open /dev/vda", sys_open("/dev/vda", O_RDONLY)); }

/* The jail system calls against other jails: none is visible, and a jail cannot remove itself. */
static void jails(void) {
  struct jail_info ji;
  jail_get(0, &ji);
  report("jails", "jail_remove(own jid)", jail_remove(ji.jid));
  int refused = 0, others = 0;
  for (long jid = 1; jid <= 16; jid++) {
    if (jid == ji.jid) continue;
    others++;
    refused += jail_attach(jid) == -22 && jail_get(jid, &ji) == -22 && jail_remove(jid) == -22;
  }
  printf("attack jails: attach, get and remove of the %d other jids: %d refused with EINVAL\n", others, refused);
}

static void nest(void) {
  struct jail_params jp;
  memset(&jp, 0, sizeof jp);
  strcpy(jp.path, "/");
  for (int i = 0;; i++) {
    snprintf(jp.name, sizeof jp.name, "inner%d", i);
    long r = jail_create(&jp);
    if (r < 0) {
      printf("attack nest: created %d child jails, then jail_create gave %s\n", i, errname(r));
      break;
    }
  }
}

/* A CPU hog of n processes (for the neighbour-zone test): spins until the jail is removed. */
static void cpu_hog(int n) {
  fflush_stdout();
  for (int i = 1; i < n; i++)
    if (sys_fork() == 0) break;
  volatile uint32_t x = 0;
  for (;;) x++;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int all = !strcmp(a, "all");
    if (all || !strcmp(a, "paths")) paths();
    if (all || !strcmp(a, "chroot")) chroot_escape();
    if (all || !strcmp(a, "signal")) signals();
    if (all || !strcmp(a, "hostname")) host_name();
    if (all || !strcmp(a, "rawdisk")) raw_disk();
    if (all || !strcmp(a, "files")) fd_exhaust();
    if (all || !strcmp(a, "jails")) jails();
    if (all || !strcmp(a, "nest")) nest();
    if (all || !strcmp(a, "forkbomb")) fork_bomb();
    if (all || !strcmp(a, "memhog")) memory_hog();
    if (!strncmp(a, "cpuhog", 6)) cpu_hog(a[6] ? a[6] - '0' : 1);
    if (!strcmp(a, "sleep")) sys_nanosleep(0, 50000000); /* 50 ms: let the neighbours start */
  }
  return 0;
}

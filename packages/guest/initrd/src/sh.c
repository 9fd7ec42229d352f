/* sh: the console shell the kernel starts when no init= is given. Built-ins: ls, cat, echo
 * (with $? for the last exit status), cd, pwd, mkdir, rm, exit, help; anything else runs as a
 * program (a bare name is looked up in /bin). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys.h"

#define MAX_ARGS 16

static int last_status;

static int split(char *line, char **argv) {
  int argc = 0;
  for (char *s = line; *s && argc < MAX_ARGS - 1;) {
    while (*s == ' ' || *s == '\t' || *s == '\n') *s++ = 0;
    if (!*s) break;
    argv[argc++] = s;
    while (*s && *s != ' ' && *s != '\t' && *s != '\n') s++;
  }
  argv[argc] = 0;
  return argc;
}

static int ls(const char *path) {
  long fd = syscall(SYS_openat, AT_FDCWD, (long)path, O_RDONLY | O_DIRECTORY, 0);
  if (fd < 0) {
    printf("ls: %s: %s\n", path, errname(fd));
    return 1;
  }
  static char buf[1024];
  long n;
  while ((n = syscall(SYS_getdents64, fd, (long)buf, sizeof buf)) > 0) {
    for (long off = 0; off < n;) {
      unsigned short reclen = (unsigned char)buf[off + 16] | (unsigned short)((unsigned char)buf[off + 17] << 8);
      const char *name = buf + off + 19;
      if (name[0] != '.') printf("%s%s\n", name, buf[off + 18] == 4 ? "/" : "");
      off += reclen;
    }
  }
  close((int)fd);
  return 0;
}

static int cat(const char *path) {
  long fd = sys_open(path, O_RDONLY);
  if (fd < 0) {
    printf("cat: %s: %s\n", path, errname(fd));
    return 1;
  }
  static char buf[512];
  long n;
  while ((n = read((int)fd, buf, sizeof buf)) > 0) write(1, buf, (size_t)n);
  close((int)fd);
  return n < 0 ? 1 : 0;
}

static int run(char **argv) {
  char path[128];
  if (strchr(argv[0], '/')) snprintf(path, sizeof path, "%s", argv[0]);
  else snprintf(path, sizeof path, "/bin/%s", argv[0]);
  fflush_stdout();
  long pid = sys_fork();
  if (pid < 0) {
    printf("sh: fork: %s\n", errname(pid));
    return 1;
  }
  if (pid == 0) {
    long r = sys_execve(path, argv, 0);
    printf("sh: %s: %s\n", argv[0], errname(r));
    fflush_stdout();
    _exit(127);
  }
  int status = 0;
  sys_wait(pid, &status);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  printf("sh: %s: killed by signal %d\n", argv[0], WTERMSIG(status));
  return 128 + WTERMSIG(status);
}

static int command(int argc, char **argv) {
  const char *cmd = argv[0];
  if (!strcmp(cmd, "echo")) {
    for (int i = 1; i < argc; i++) {
      if (!strcmp(argv[i], "$?")) printf("%s%d", i > 1 ? " " : "", last_status);
      else printf("%s%s", i > 1 ? " " : "", argv[i]);
    }
    printf("\n");
    return 0;
  }
  if (!strcmp(cmd, "ls")) {
    int r = 0;
    if (argc == 1) return ls(".");
    for (int i = 1; i < argc; i++) r |= ls(argv[i]);
    return r;
  }
  if (!strcmp(cmd, "cat")) {
    int r = 0;
    for (int i = 1; i < argc; i++) r |= cat(argv[i]);
    return r;
  }
  if (!strcmp(cmd, "cd")) {
    long r = syscall(SYS_chdir, (long)(argc > 1 ? argv[1] : "/"));
    if (r < 0) printf("cd: %s\n", errname(r));
    return r < 0;
  }
  if (!strcmp(cmd, "pwd")) {
    char buf[256];
    long r = syscall(SYS_getcwd, (long)buf, sizeof buf);
    if (r < 0) return 1;
    printf("%s\n", buf);
    return 0;
  }
  if (!strcmp(cmd, "mkdir") || !strcmp(cmd, "rm")) {
    int mk = cmd[0] == 'm', r = 0;
    for (int i = 1; i < argc; i++) {
      long e = mk ? syscall(SYS_mkdirat, AT_FDCWD, (long)argv[i], 0755) : syscall(SYS_unlinkat, AT_FDCWD, (long)argv[i], 0);
      if (e < 0) printf("%s: %s: %s\n", cmd, argv[i], errname(e)), r = 1;
    }
    return r;
  }
  if (!strcmp(cmd, "help")) {
    printf("built-ins: ls cat echo cd pwd mkdir rm exit help; other words run /bin/<name>\n");
    return 0;
  }
  return run(argv);
}

int main(void) {
  static char line[256];
  char *argv[MAX_ARGS];
  for (;;) {
    printf("$ ");
    fflush_stdout();
    long n = read(0, line, sizeof line - 1);
    if (n <= 0) break;
    line[n] = 0;
    int argc = split(line, argv);
    if (argc == 0) continue;
    if (!strcmp(argv[0], "exit")) return argc > 1 ? atoi(argv[1]) : last_status;
    last_status = command(argc, argv);
  }
  return last_status;
}

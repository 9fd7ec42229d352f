/* fscheck: the values (not just the errors) of the file, time and identity system calls, each
 * printed as a line the test compares with what POSIX and Linux specify. */
#include <stdio.h>
#include <string.h>

#include "sys.h"

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

struct stat32 { /* asm-generic struct stat with 32-bit longs */
  uint32_t dev, ino, mode, nlink, uid, gid, rdev, pad1;
  int32_t size, blksize, pad2, blocks;
  uint32_t times[6], unused[2];
};

static void write_str(int fd, const char *s) { write(fd, s, strlen(s)); }

static void read_back(const char *path) {
  char buf[64] = {0};
  long fd = sys_open(path, O_RDONLY);
  long n = read((int)fd, buf, sizeof buf - 1);
  close((int)fd);
  printf("%s holds %ld bytes: '%s'\n", path, n, buf);
}

static void files(void) {
  long fd = sys_open("/tmp/a", O_CREAT | O_RDWR);
  write_str((int)fd, "hello, world");
  printf("lseek SEEK_CUR 0: %ld\n", sys_lseek((int)fd, 0, SEEK_CUR));
  printf("lseek SEEK_SET 7: %ld\n", sys_lseek((int)fd, 7, SEEK_SET));
  write_str((int)fd, "there");
  printf("lseek SEEK_END -3: %ld\n", sys_lseek((int)fd, -3, SEEK_END));
  printf("lseek to -1: %s\n", errname(sys_lseek((int)fd, -20, SEEK_END)));
  struct stat32 st;
  syscall(SYS_fstat, fd, (long)&st);
  printf("fstat: size %d, regular %s, nlink %u\n", st.size, (st.mode & 0170000) == 0100000 ? "yes" : "no", st.nlink);
  /* A hole: bytes past the end read back as zeros. */
  sys_lseek((int)fd, 20, SEEK_SET);
  write_str((int)fd, "!");
  char buf[32];
  sys_lseek((int)fd, 0, SEEK_SET);
  long n = read((int)fd, buf, sizeof buf);
  printf("after a write at 20: %ld bytes, byte 15 is %d, byte 20 is '%c'\n", n, buf[15], buf[20]);
  close((int)fd);
  read_back("/tmp/a");

  fd = sys_open("/tmp/a", O_WRONLY | O_TRUNC);
  write_str((int)fd, "one");
  close((int)fd);
  fd = sys_open("/tmp/a", O_WRONLY | O_APPEND);
  sys_lseek((int)fd, 0, SEEK_SET);
  write_str((int)fd, "+two"); /* O_APPEND: at the end whatever the offset */
  close((int)fd);
  read_back("/tmp/a");

  /* dup shares the offset; dup3 onto stdout sends printf to a file. */
  fd = sys_open("/tmp/a", O_RDONLY);
  long copy = syscall(SYS_dup, fd);
  read((int)fd, buf, 3);
  printf("dup shares the offset: %ld\n", sys_lseek((int)copy, 0, SEEK_CUR));
  close((int)fd);
  close((int)copy);
  long saved = syscall(SYS_dup, 1);
  fd = sys_open("/tmp/out", O_CREAT | O_WRONLY | O_TRUNC);
  syscall(SYS_dup3, fd, 1, 0);
  printf("into the file"); /* no newline: it stays in the buffer until the flush below */
  fflush_stdout();
  syscall(SYS_dup3, saved, 1, 0);
  close((int)fd);
  close((int)saved);
  read_back("/tmp/out");
}

static void directories(void) {
  syscall(SYS_mkdirat, AT_FDCWD, (long)"/tmp/dir", 0755);
  syscall(SYS_chdir, (long)"/tmp/dir");
  close((int)sys_open("x", O_CREAT | O_WRONLY));
  syscall(SYS_mkdirat, AT_FDCWD, (long)"sub", 0755);
  close((int)sys_open("sub/y", O_CREAT | O_WRONLY));
  char cwd[64];
  syscall(SYS_getcwd, (long)cwd, sizeof cwd);
  printf("getcwd: %s\n", cwd);
  long fd = sys_open(".", O_RDONLY | O_DIRECTORY);
  char buf[256];
  long n = syscall(SYS_getdents64, fd, (long)buf, sizeof buf);
  printf("getdents64 of /tmp/dir:");
  for (long off = 0; off < n;) {
    unsigned reclen = (unsigned char)buf[off + 16] | ((unsigned char)buf[off + 17] << 8);
    printf(" %s(%s)", buf + off + 19, buf[off + 18] == 4 ? "dir" : buf[off + 18] == 8 ? "file" : "?");
    off += reclen;
  }
  printf("\n");
  printf("getdents64 at the end: %ld\n", syscall(SYS_getdents64, fd, (long)buf, sizeof buf));
  close((int)fd);
  syscall(SYS_chdir, (long)"sub/..");
  syscall(SYS_unlinkat, AT_FDCWD, (long)"sub/y", 0);
  syscall(SYS_unlinkat, AT_FDCWD, (long)"sub", AT_REMOVEDIR);
  syscall(SYS_unlinkat, AT_FDCWD, (long)"x", 0);
  syscall(SYS_chdir, (long)"/");
  printf("rmdir /tmp/dir after emptying it: %s\n", errname(syscall(SYS_unlinkat, AT_FDCWD, (long)"/tmp/dir", AT_REMOVEDIR)));
  /* The working directory may be removed (rmdir(2)); nothing can be created in it afterwards. */
  syscall(SYS_mkdirat, AT_FDCWD, (long)"/tmp/cwd", 0755);
  syscall(SYS_chdir, (long)"/tmp/cwd");
  printf("rmdir of the working directory: %s", errname(syscall(SYS_unlinkat, AT_FDCWD, (long)"/tmp/cwd", AT_REMOVEDIR)));
  printf(", then create in it: %s", errname(sys_open("f", O_CREAT | O_WRONLY)));
  printf(", mkdir in it: %s\n", errname(syscall(SYS_mkdirat, AT_FDCWD, (long)"d", 0755)));
  syscall(SYS_chdir, (long)"/");
  /* An unlinked file stays readable through a descriptor opened before. */
  fd = sys_open("/tmp/gone", O_CREAT | O_RDWR);
  write_str((int)fd, "still here");
  syscall(SYS_unlinkat, AT_FDCWD, (long)"/tmp/gone", 0);
  sys_lseek((int)fd, 0, SEEK_SET);
  char text[16] = {0};
  read((int)fd, text, 10);
  printf("unlinked but open: '%s', open by name: %s\n", text, errname(sys_open("/tmp/gone", O_RDONLY)));
  close((int)fd);
}

static void identity_and_time(void) {
  char u[6][65];
  syscall(SYS_uname, (long)u);
  printf("uname: %s %s %s\n", u[0], u[2], u[4]);
  struct timespec32 a, b;
  syscall(SYS_clock_gettime, 1, (long)&a);
  sys_nanosleep(0, 20000000);
  syscall(SYS_clock_gettime, 1, (long)&b);
  int64_t ns = (int64_t)(b.tv_sec - a.tv_sec) * 1000000000 + (b.tv_nsec - a.tv_nsec);
  printf("nanosleep 20 ms: the monotonic clock advanced at least 20 ms: %s\n", ns >= 20000000 ? "yes" : "no");
  printf("clock_gettime with an unknown clock: %s\n", errname(syscall(SYS_clock_gettime, 99, (long)&a)));
  printf("nanosleep with 1e9 ns: %s\n", errname(sys_nanosleep(0, 1000000000)));
  printf("getpid %ld, getppid %ld\n", (long)getpid(), (long)getppid());
}

int main(void) {
  files();
  directories();
  identity_and_time();
  return 0;
}

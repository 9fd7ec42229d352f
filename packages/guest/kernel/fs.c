// The in-memory file system (filled from the initrd), open files, pipes, the console and the
// block device node, and their system calls.
#include "kernel.h"

#define AT_FDCWD (-100)
#define AT_REMOVEDIR 0x200
#define O_ACCMODE 3
#define O_CREAT 0x40
#define O_EXCL 0x80
#define O_TRUNC 0x200
#define O_APPEND 0x400
#define O_NONBLOCK 0x800
#define O_DIRECTORY 0x10000
#define O_CLOEXEC 0x80000
#define S_IFIFO 0010000
#define S_IFCHR 0020000
#define S_IFDIR 0040000
#define S_IFBLK 0060000
#define S_IFREG 0100000
#define S_IFMT 0170000

static struct inode inodes[NINODE];
static struct file files[NFILE];
static struct inode *root;
static const u8 zero_page[PAGE_SIZE];

struct pipe {
  u8 *buf;
  u32 nread, nwrite;  // running byte counts; the ring holds nwrite - nread bytes
  u32 readers, writers;
};
static struct pipe pipes[NPIPE];

// --- inodes ---------------------------------------------------------------------------------

static struct inode *dir_child(struct inode *dir, const char *name, u32 len);

static struct inode *inode_alloc(enum itype type) {
  for (u32 i = 0; i < NINODE; i++) {
    struct inode *ip = &inodes[i];
    if (ip->type != I_FREE) continue;
    memset(ip, 0, sizeof *ip);
    ip->type = type;
    ip->ino = i + 1;
    ip->nlink = 1;
    return ip;
  }
  return NULL;
}

static void inode_truncate(struct inode *ip) {
  if (ip->pages) {
    for (u32 i = 0; i < MAX_FILE_PAGES; i++)
      if (ip->pages[i]) page_free(ip->pages[i]);
    page_free(ip->pages);
    ip->pages = NULL;
  }
  ip->size = 0;
}

void inode_get(struct inode *ip) { ip->refs++; }

void inode_put(struct inode *ip) {
  if (!ip) return;
  ip->refs--;
  if (ip->refs == 0 && ip->nlink == 0) {
    inode_truncate(ip);
    ip->type = I_FREE;
  }
}

struct inode *fs_root(void) { return root; }

static struct inode *dir_find(struct inode *dir, const char *name, u32 len) {
  if (len == 1 && name[0] == '.') return dir;
  if (len == 2 && name[0] == '.' && name[1] == '.') return dir->parent;
  return dir_child(dir, name, len);
}

static struct inode *dir_child(struct inode *dir, const char *name, u32 len) {
  for (struct inode *c = dir->child; c; c = c->next)
    if (strlen(c->name) == len && strncmp(c->name, name, len) == 0) return c;
  return NULL;
}

// Walk path from cwd. With want_parent, stop before the last component and return it in leaf.
// A process's view is confined twice: `..` stays put at its chroot(2) directory and at its jail's
// root, and absolute paths start at the former; a cwd left outside a chroot still meets the jail.
static int resolve(struct inode *cwd, const char *path, struct inode **out, int want_parent, const char **leaf) {
  struct inode *top = curproc && curproc->root ? curproc->root : root;
  struct inode *jroot = curproc && curproc->jail ? curproc->jail->root : root;
  struct inode *ip = path[0] == '/' ? top : cwd;
  if (!path[0]) return -ENOENT;
  const char *s = path;
  for (;;) {
    while (*s == '/') s++;
    if (!*s) break;
    const char *e = s;
    while (*e && *e != '/') e++;
    u32 len = (u32)(e - s);
    if (len > NAME_MAX_LEN) return -ENAMETOOLONG;
    const char *rest = e;
    while (*rest == '/') rest++;
    if (ip->type != I_DIR) return -ENOTDIR;
    if (want_parent && !*rest) {
      *out = ip;
      *leaf = s;
      return 0;
    }
    if (len == 2 && s[0] == '.' && s[1] == '.')
      ip = ip == top || ip == jroot ? ip : ip->parent;
    else if (!(len == 1 && s[0] == '.'))
      ip = dir_child(ip, s, len);
    if (!ip) return -ENOENT;
    s = e;
  }
  if (want_parent) return -EEXIST;  // the path names a directory itself ("/" or "a/..")
  *out = ip;
  return 0;
}

struct inode *fs_lookup(struct inode *cwd, const char *path) {
  struct inode *ip;
  return resolve(cwd, path, &ip, 0, NULL) < 0 ? NULL : ip;
}

struct inode *fs_mknode(struct inode *dir, const char *name, enum itype type) {
  if (dir->nlink == 0) return NULL;  // a removed directory (still someone's cwd) takes no entries
  u32 len = 0;
  while (name[len] && name[len] != '/') len++;
  if (len == 0 || len > NAME_MAX_LEN) return NULL;
  struct inode *ip = inode_alloc(type);
  if (!ip) return NULL;
  memcpy(ip->name, name, len);
  ip->name[len] = 0;
  ip->parent = dir;
  // Append, so directory listings keep creation order.
  struct inode **link = &dir->child;
  while (*link) link = &(*link)->next;
  *link = ip;
  return ip;
}

static void dir_unlink(struct inode *ip) {
  struct inode **link = &ip->parent->child;
  while (*link != ip) link = &(*link)->next;
  *link = ip->next;
  ip->next = NULL;
  ip->nlink = 0;
  ip->refs++;
  inode_put(ip);  // frees it now unless a file or cwd still holds it
}

int fs_read_inode(struct inode *ip, void *dst, u32 off, u32 n) {
  if (off >= ip->size) return 0;
  if (n > ip->size - off) n = ip->size - off;
  u8 *d = dst;
  for (u32 done = 0; done < n;) {
    u32 pg = (off + done) / PAGE_SIZE, po = (off + done) % PAGE_SIZE;
    u32 chunk = PAGE_SIZE - po < n - done ? PAGE_SIZE - po : n - done;
    const u8 *src = ip->pages && ip->pages[pg] ? (const u8 *)ip->pages[pg] : zero_page;
    memcpy(d + done, src + po, chunk);
    done += chunk;
  }
  return (int)n;
}

// Ensure the pages under [off, off+n) exist; -EFBIG or -ENOSPC when they cannot.
static int inode_reserve(struct inode *ip, u32 off, u32 n) {
  if (off + n < off || off + n > MAX_FILE_PAGES * PAGE_SIZE) return -EFBIG;
  if (!ip->pages && !(ip->pages = page_alloc())) return -ENOSPC;
  for (u32 pg = off / PAGE_SIZE; n && pg <= (off + n - 1) / PAGE_SIZE; pg++)
    if (!ip->pages[pg] && !(ip->pages[pg] = page_alloc())) return -ENOSPC;
  return 0;
}

// User buffer <-> file data, page by page.
static int inode_user_io(struct inode *ip, u32 ubuf, u32 off, u32 n, int write) {
  if (write) {
    int r = inode_reserve(ip, off, n);
    if (r < 0) return r;
  } else {
    if (off >= ip->size) return 0;
    if (n > ip->size - off) n = ip->size - off;
  }
  for (u32 done = 0; done < n;) {
    u32 pg = (off + done) / PAGE_SIZE, po = (off + done) % PAGE_SIZE;
    u32 chunk = PAGE_SIZE - po < n - done ? PAGE_SIZE - po : n - done;
    int r;
    if (write) {
      r = copyin(&curproc->mm, (u8 *)ip->pages[pg] + po, ubuf + done, chunk);
    } else {
      const u8 *src = ip->pages && ip->pages[pg] ? (const u8 *)ip->pages[pg] : zero_page;
      r = copyout(&curproc->mm, ubuf + done, src + po, chunk);
    }
    if (r < 0) return done ? (int)done : -EFAULT;
    done += chunk;
    if (write && off + done > ip->size) ip->size = off + done;
  }
  return (int)n;
}

// --- the initrd -----------------------------------------------------------------------------

// Eight hex digits (a newc header field); -1 when any is not a hex digit.
static i64 hex8(const u8 *p) {
  u32 v = 0;
  for (int i = 0; i < 8; i++) {
    u8 c = p[i], d;
    if (c >= '0' && c <= '9') d = (u8)(c - '0');
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') d = (u8)((c | 0x20) - 'a' + 10);
    else return -1;
    v = (v << 4) | d;
  }
  return v;
}

// mkdir -p for every directory on the way to path's last component; returns that directory.
static struct inode *make_parents(const char *path, const char **leaf) {
  struct inode *dir = root;
  const char *s = path;
  for (;;) {
    while (*s == '/' || (s[0] == '.' && s[1] == '/')) s += *s == '/' ? 1 : 2;
    const char *e = s;
    while (*e && *e != '/') e++;
    if (!*e) break;
    struct inode *next = dir_find(dir, s, (u32)(e - s));
    if (!next) next = fs_mknode(dir, s, I_DIR);
    if (!next || next->type != I_DIR) return NULL;
    dir = next;
    s = e;
  }
  *leaf = s;
  return dir;
}

// cpio "newc" archive (070701): 110-byte ASCII header, name, data, each padded to 4 bytes.
// Every field must be hex, the name must end with its NUL at namesize (at most 4096 bytes), and
// name and data must lie inside the archive, checked without ever wrapping a u32; the first entry
// that breaks a rule ends the read with a message naming its offset (the entries before it stay).
void fs_load_cpio(const u8 *data, u32 len) {
  u32 pos = 0;
  while (len - pos >= 110) {
    const u8 *h = data + pos;
    if (memcmp(h, "070701", 6) != 0) {
      kprintf("initrd: no newc header at offset 0x%x: ignoring the rest\n", pos);
      return;
    }
    i64 mode = hex8(h + 14), fsize = hex8(h + 54), nsize = hex8(h + 94);
    if (mode < 0 || fsize < 0 || nsize < 0) {
      kprintf("initrd: header at offset 0x%x has a field that is not hex: ignoring the rest\n", pos);
      return;
    }
    const char *name = (const char *)h + 110;
    if (nsize == 0 || nsize > 4096 || (u32)nsize > len - pos - 110 || name[nsize - 1] != 0 || strlen(name) != (usize)nsize - 1) {
      kprintf("initrd: entry at offset 0x%x: its name does not end with its NUL inside the archive: ignoring the rest\n", pos);
      return;
    }
    u32 doff = (pos + 110 + (u32)nsize + 3) & ~3u;
    if (doff > len || (u32)fsize > len - doff) {
      kprintf("initrd: entry at offset 0x%x (%s): %u bytes of data run past the end: ignoring the rest\n", pos, name, (u32)fsize);
      return;
    }
    if (!strcmp(name, "TRAILER!!!")) {  // another archive may follow (zero padding between)
      u32 end = doff + (u32)fsize;
      if (end > len - 3) return;
      pos = (end + 3) & ~3u;
      while (len - pos >= 4 && !memcmp(data + pos, "\0\0\0\0", 4)) pos += 4;
      continue;
    }
    const char *leaf;
    struct inode *dir = make_parents(name, &leaf);
    if (dir && *leaf && strcmp(leaf, ".") != 0) {
      struct inode *ip = dir_find(dir, leaf, strlen(leaf));
      if ((mode & S_IFMT) == S_IFDIR) {
        if (!ip) fs_mknode(dir, leaf, I_DIR);
      } else if ((mode & S_IFMT) == S_IFREG && !ip && (ip = fs_mknode(dir, leaf, I_FILE))) {
        if (inode_reserve(ip, 0, (u32)fsize) < 0) panic("initrd: out of memory for %s", name);
        for (u32 done = 0; done < (u32)fsize; done += PAGE_SIZE)
          memcpy(ip->pages[done / PAGE_SIZE], data + doff + done, (u32)fsize - done < PAGE_SIZE ? (u32)fsize - done : PAGE_SIZE);
        ip->size = (u32)fsize;
      }
    }
    u32 next = doff + (u32)fsize;
    if (next > len - 3) return;  // the last entry, without a trailer
    pos = (next + 3) & ~3u;
  }
}

void fs_init(void) {
  root = inode_alloc(I_DIR);
  root->parent = root;
  root->refs = 1;
  struct inode *dev = fs_mknode(root, "dev", I_DIR);
  fs_mknode(dev, "console", I_CONSOLE);
  fs_mknode(root, "tmp", I_DIR);
}

void fs_add_block_device(const char *name) {
  struct inode *dev = fs_lookup(root, "/dev");
  struct inode *ip = fs_mknode(dev, name, I_BLOCK);
  if (ip) ip->size = (u32)virtio_blk_capacity();
}

// --- open files -----------------------------------------------------------------------------

static struct file *file_alloc(void) {
  for (u32 i = 0; i < NFILE; i++) {
    if (files[i].refs) continue;
    memset(&files[i], 0, sizeof files[i]);
    files[i].refs = 1;
    return &files[i];
  }
  return NULL;
}

struct file *file_dup(struct file *f) {
  f->refs++;
  return f;
}

void file_close(struct file *f) {
  if (--f->refs > 0) return;
  if (f->type == F_INODE) {
    inode_put(f->ip);
  } else if (f->type == F_PIPE) {
    struct pipe *p = f->pipe;
    if (f->writable) p->writers--;
    else p->readers--;
    wakeup(&p->nread);
    wakeup(&p->nwrite);
    if (!p->readers && !p->writers) {
      page_free(p->buf);
      p->buf = NULL;
    }
  }
  f->type = F_NONE;
}

static int fd_alloc(struct proc *p, struct file *f, int from) {
  if (p->jail && !jail_fd_ok(p->jail)) return -EMFILE;  // rctl openfiles
  for (int fd = from; fd < NOFILE; fd++) {
    if (p->ofile[fd]) continue;
    p->ofile[fd] = f;
    p->cloexec[fd] = 0;
    return fd;
  }
  return -EMFILE;
}

static struct file *fd_get(i32 fd) {
  if (fd < 0 || fd >= NOFILE) return NULL;
  return curproc->ofile[fd];
}

void fd_close_on_exec(struct proc *p) {
  for (int fd = 0; fd < NOFILE; fd++) {
    if (!p->ofile[fd] || !p->cloexec[fd]) continue;
    file_close(p->ofile[fd]);
    p->ofile[fd] = NULL;
    p->cloexec[fd] = 0;
  }
}

int fd_install_console(struct proc *p) {
  struct inode *con = fs_lookup(root, "/dev/console");
  for (int i = 0; i < 3; i++) {
    struct file *f = file_alloc();
    if (!f) return -ENFILE;
    f->type = F_INODE;
    f->ip = con;
    inode_get(con);
    f->readable = f->writable = 1;
    p->ofile[i] = f;
  }
  return 0;
}

// The directory a *at() call starts from.
static int at_base(i32 dirfd, u32 upath, char *path, struct inode **base) {
  int r = copyinstr(&curproc->mm, path, upath, PAGE_SIZE);
  if (r < 0) return r;
  if (path[0] == '/' || dirfd == AT_FDCWD) {
    *base = curproc->cwd;
    return 0;
  }
  struct file *f = fd_get(dirfd);
  if (!f) return -EBADF;
  if (f->type != F_INODE || f->ip->type != I_DIR) return -ENOTDIR;
  *base = f->ip;
  return 0;
}

// Run fn with the user path copied into a kernel page.
#define WITH_PATH(r, dirfd, upath, base, path, body)  \
  do {                                                \
    char *path = page_alloc();                        \
    struct inode *base = NULL;                        \
    if (!path) {                                      \
      r = -ENOMEM;                                    \
      break;                                          \
    }                                                 \
    r = at_base(dirfd, upath, path, &base);           \
    if (r >= 0) body;                                 \
    page_free(path);                                  \
  } while (0)

static int do_open(struct inode *base, const char *path, u32 flags) {
  u32 acc = flags & O_ACCMODE;
  if (acc == 3) return -EINVAL;
  struct inode *ip;
  int r = resolve(base, path, &ip, 0, NULL);
  if (r == -ENOENT && (flags & O_CREAT)) {
    struct inode *dir;
    const char *leaf;
    r = resolve(base, path, &dir, 1, &leaf);
    if (r < 0) return r;
    if (dir->nlink == 0) return -ENOENT;
    ip = fs_mknode(dir, leaf, I_FILE);
    if (!ip) return -ENOSPC;
  } else if (r < 0) {
    return r;
  } else if ((flags & O_CREAT) && (flags & O_EXCL)) {
    return -EEXIST;
  }
  if ((flags & O_DIRECTORY) && ip->type != I_DIR) return -ENOTDIR;
  if (ip->type == I_DIR && acc != 0) return -EISDIR;
  if (ip->type == I_BLOCK && !virtio_blk_capacity()) return -ENXIO;
  if (ip->type == I_BLOCK && curproc->jail && !(curproc->jail->allow & JAIL_ALLOW_RAW_IO)) return -EPERM;
  struct file *f = file_alloc();
  if (!f) return -ENFILE;
  int fd = fd_alloc(curproc, f, 0);
  if (fd < 0) {
    f->refs = 0;
    return fd;
  }
  if ((flags & O_TRUNC) && acc != 0 && ip->type == I_FILE) inode_truncate(ip);
  f->type = F_INODE;
  f->ip = ip;
  inode_get(ip);
  f->readable = acc != 1;
  f->writable = acc != 0;
  f->append = (flags & O_APPEND) != 0;
  curproc->cloexec[fd] = (flags & O_CLOEXEC) != 0;
  return fd;
}

i32 sys_openat(i32 dirfd, u32 upath, u32 flags, u32 mode) {
  (void)mode;
  int r;
  WITH_PATH(r, dirfd, upath, base, path, r = do_open(base, path, flags));
  return r;
}

i32 sys_close(i32 fd) {
  struct file *f = fd_get(fd);
  if (!f) return -EBADF;
  curproc->ofile[fd] = NULL;
  file_close(f);
  return 0;
}

// --- pipes ----------------------------------------------------------------------------------

static int pipe_read(struct pipe *p, u32 ubuf, u32 n, int nonblock) {
  while (p->nread == p->nwrite) {
    if (!p->writers) return 0;
    if (nonblock) return -EAGAIN;
    if (curproc->killed) return -EINTR;
    sleep_on(&p->nread);
  }
  u32 done = 0;
  while (done < n && p->nread != p->nwrite) {
    u32 at = p->nread % PAGE_SIZE;
    u32 chunk = p->nwrite - p->nread;
    if (chunk > PAGE_SIZE - at) chunk = PAGE_SIZE - at;
    if (chunk > n - done) chunk = n - done;
    if (copyout(&curproc->mm, ubuf + done, p->buf + at, chunk) < 0) {
      if (!done) return -EFAULT;
      break;
    }
    p->nread += chunk;
    done += chunk;
  }
  wakeup(&p->nwrite);
  return (int)done;
}

static int pipe_write(struct pipe *p, u32 ubuf, u32 n, int nonblock) {
  u32 done = 0;
  while (done < n) {
    if (!p->readers) return done ? (int)done : -EPIPE;
    if (curproc->killed) return done ? (int)done : -EINTR;
    if (p->nwrite - p->nread == PAGE_SIZE) {
      if (nonblock) return done ? (int)done : -EAGAIN;
      wakeup(&p->nread);
      sleep_on(&p->nwrite);
      continue;
    }
    u32 at = p->nwrite % PAGE_SIZE;
    u32 chunk = PAGE_SIZE - (p->nwrite - p->nread);
    if (chunk > PAGE_SIZE - at) chunk = PAGE_SIZE - at;
    if (chunk > n - done) chunk = n - done;
    if (copyin(&curproc->mm, p->buf + at, ubuf + done, chunk) < 0) return done ? (int)done : -EFAULT;
    p->nwrite += chunk;
    done += chunk;
  }
  wakeup(&p->nread);
  return (int)done;
}

i32 sys_pipe2(u32 ufds, u32 flags) {
  if (flags & ~(u32)(O_CLOEXEC | O_NONBLOCK)) return -EINVAL;
  struct pipe *p = NULL;
  for (u32 i = 0; i < NPIPE && !p; i++)
    if (!pipes[i].buf) p = &pipes[i];
  if (!p) return -ENFILE;
  struct file *rf = file_alloc();
  struct file *wf = rf ? file_alloc() : NULL;
  if (!wf) {
    if (rf) rf->refs = 0;
    return -ENFILE;
  }
  if (!(p->buf = page_alloc())) {
    rf->refs = wf->refs = 0;
    return -ENOMEM;
  }
  p->nread = p->nwrite = 0;
  p->readers = p->writers = 1;
  rf->type = wf->type = F_PIPE;
  rf->pipe = wf->pipe = p;
  rf->readable = 1;
  wf->writable = 1;
  rf->nonblock = wf->nonblock = (flags & O_NONBLOCK) != 0;
  int fds[2];
  fds[0] = fd_alloc(curproc, rf, 0);
  fds[1] = fds[0] < 0 ? -EMFILE : fd_alloc(curproc, wf, 0);
  if (fds[1] >= 0) curproc->cloexec[fds[0]] = curproc->cloexec[fds[1]] = (flags & O_CLOEXEC) != 0;
  if (fds[1] < 0 || copyout(&curproc->mm, ufds, fds, sizeof fds) < 0) {
    int err = fds[1] < 0 ? -EMFILE : -EFAULT;
    if (fds[0] >= 0) curproc->ofile[fds[0]] = NULL;
    if (fds[1] >= 0) curproc->ofile[fds[1]] = NULL;
    file_close(rf);
    file_close(wf);
    return err;
  }
  return 0;
}

// --- console and block device ---------------------------------------------------------------

static char line[256];
static u32 line_len, line_ready, line_pos;

// Cooked console input: echo, backspace, and a line at a time, like a terminal in canonical mode.
int console_read(u32 ubuf, u32 n) {
  while (!line_ready) {
    int c = arch_console_getchar();
    if (c < 0) {
      if (curproc->killed) return -EINTR;
      sleep_until(ticks_now() + boot.timebase / 100);  // poll the console every 10 ms
      continue;
    }
    if (c == '\r') c = '\n';
    if (c == 0x7f || c == 8) {
      if (line_len) {
        line_len--;
        arch_console_write("\b \b", 3);
      }
      continue;
    }
    if (c == 4) {  // Ctrl-D: end of file on an empty line
      line_ready = 1;
      break;
    }
    if (line_len < sizeof line) line[line_len++] = (char)c;
    char ch = (char)c;
    arch_console_write(&ch, 1);
    if (c == '\n' || line_len == sizeof line) line_ready = 1;
  }
  u32 k = line_len - line_pos < n ? line_len - line_pos : n;
  if (copyout(&curproc->mm, ubuf, line + line_pos, k) < 0) return -EFAULT;
  line_pos += k;
  if (line_pos >= line_len) line_ready = line_len = line_pos = 0;
  return (int)k;
}

static int console_write(u32 ubuf, u32 n) {
  char buf[256];
  for (u32 done = 0; done < n;) {
    u32 chunk = n - done < sizeof buf ? n - done : sizeof buf;
    if (copyin(&curproc->mm, buf, ubuf + done, chunk) < 0) return done ? (int)done : -EFAULT;
    arch_console_write(buf, chunk);
    done += chunk;
  }
  return (int)n;
}

// Byte-granular access to the disk through a one-page bounce buffer.
static int block_io(u32 ubuf, u32 off, u32 n, int write) {
  u32 cap = (u32)virtio_blk_capacity();
  if (off >= cap) return 0;
  if (n > cap - off) n = cap - off;
  u8 *bounce = page_alloc();
  if (!bounce) return -ENOMEM;
  u32 done = 0;
  int err = 0;
  while (done < n) {
    u32 pos = off + done;
    u32 first = pos / 512, skip = pos % 512;
    u32 chunk = PAGE_SIZE - skip < n - done ? PAGE_SIZE - skip : n - done;
    u32 nsect = (skip + chunk + 511) / 512;
    if (virtio_blk_rw(first, bounce, nsect, 0) < 0) {
      err = -EIO;
      break;
    }
    if (write) {
      if (copyin(&curproc->mm, bounce + skip, ubuf + done, chunk) < 0) err = -EFAULT;
      else if (virtio_blk_rw(first, bounce, nsect, 1) < 0) err = -EIO;
    } else if (copyout(&curproc->mm, ubuf + done, bounce + skip, chunk) < 0) {
      err = -EFAULT;
    }
    if (err) break;
    done += chunk;
  }
  page_free(bounce);
  return done ? (int)done : err;
}

// --- read, write, seek, stat ----------------------------------------------------------------

i32 sys_read(i32 fd, u32 buf, u32 n) {
  struct file *f = fd_get(fd);
  if (!f || !f->readable) return -EBADF;
  if (n == 0) return f->type == F_INODE && f->ip->type == I_DIR ? -EISDIR : 0;
  if (f->type == F_PIPE) return pipe_read(f->pipe, buf, n, f->nonblock);
  int r;
  switch (f->ip->type) {
    case I_DIR: return -EISDIR;
    case I_CONSOLE: return console_read(buf, n);
    case I_BLOCK: r = block_io(buf, f->off, n, 0); break;
    default: r = inode_user_io(f->ip, buf, f->off, n, 0); break;
  }
  if (r > 0) f->off += (u32)r;
  return r;
}

i32 sys_write(i32 fd, u32 buf, u32 n) {
  struct file *f = fd_get(fd);
  if (!f || !f->writable) return -EBADF;
  if (n == 0) return 0;
  if (f->type == F_PIPE) return pipe_write(f->pipe, buf, n, f->nonblock);
  int r;
  switch (f->ip->type) {
    case I_CONSOLE: return console_write(buf, n);
    case I_BLOCK: r = block_io(buf, f->off, n, 1); break;
    default:
      if (f->append) f->off = f->ip->size;
      r = inode_user_io(f->ip, buf, f->off, n, 1);
      break;
  }
  if (r > 0) f->off += (u32)r;
  return r;
}

static i64 do_lseek(struct file *f, i64 off, i32 whence) {
  if (f->type == F_PIPE || f->ip->type == I_CONSOLE) return -ESPIPE;
  i64 base = whence == 0 ? 0 : whence == 1 ? (i64)f->off : whence == 2 ? (i64)f->ip->size : -1;
  if (base < 0) return -EINVAL;
  i64 pos = base + off;
  if (pos < 0 || pos > 0x7fffffff) return -EINVAL;
  f->off = (u32)pos;
  return pos;
}

i32 sys_lseek(i32 fd, i32 off, i32 whence) {
  struct file *f = fd_get(fd);
  if (!f) return -EBADF;
  return (i32)do_lseek(f, off, whence);
}

i32 sys_llseek(i32 fd, u32 hi, u32 lo, u32 uresult, i32 whence) {
  struct file *f = fd_get(fd);
  if (!f) return -EBADF;
  i64 pos = do_lseek(f, (i64)(((u64)hi << 32) | lo), whence);
  if (pos < 0) return (i32)pos;
  return copyout(&curproc->mm, uresult, &pos, 8) < 0 ? -EFAULT : 0;
}

static u32 inode_mode(struct inode *ip) {
  switch (ip->type) {
    case I_DIR: return S_IFDIR | 0755;
    case I_CONSOLE: return S_IFCHR | 0620;
    case I_BLOCK: return S_IFBLK | 0660;
    default: return S_IFREG | 0755;
  }
}

i32 sys_fstat(i32 fd, u32 ust) {
  struct file *f = fd_get(fd);
  if (!f) return -EBADF;
  u32 st[20];  // asm-generic struct stat for 32-bit longs
  memset(st, 0, sizeof st);
  if (f->type == F_PIPE) {
    st[2] = S_IFIFO | 0600;
    st[3] = 1;
    st[9] = PAGE_SIZE;
  } else {
    st[1] = f->ip->ino;
    st[2] = inode_mode(f->ip);
    st[3] = f->ip->nlink;
    st[6] = f->ip->type == I_BLOCK ? (254u << 8) : f->ip->type == I_CONSOLE ? (5u << 8) | 1 : 0;
    st[8] = f->ip->size;
    st[9] = PAGE_SIZE;
    st[11] = (f->ip->size + 511) / 512;
  }
  return copyout(&curproc->mm, ust, st, sizeof st) < 0 ? -EFAULT : 0;
}

static u8 dtype(struct inode *ip) {
  switch (ip->type) {
    case I_DIR: return 4;
    case I_CONSOLE: return 2;
    case I_BLOCK: return 6;
    default: return 8;
  }
}

// linux_dirent64 records; the file offset counts entries (0 ".", 1 "..", then children).
i32 sys_getdents64(i32 fd, u32 ubuf, u32 n) {
  struct file *f = fd_get(fd);
  if (!f) return -EBADF;
  if (f->type != F_INODE || f->ip->type != I_DIR) return -ENOTDIR;
  u32 used = 0;
  u8 rec[24 + NAME_MAX_LEN + 8];
  for (;;) {
    struct inode *ip = NULL;
    const char *name;
    if (f->off == 0) {
      ip = f->ip;
      name = ".";
    } else if (f->off == 1) {
      ip = f->ip->parent;
      name = "..";
    } else {
      u32 k = 2;
      for (ip = f->ip->child; ip && k < f->off; ip = ip->next) k++;
      if (!ip) break;
      name = ip->name;
    }
    u32 nl = strlen(name);
    u32 reclen = (19 + nl + 1 + 7) & ~7u;
    if (used + reclen > n) {
      if (!used) return -EINVAL;
      break;
    }
    memset(rec, 0, reclen);
    u64 ino = ip->ino, next = f->off + 1;
    memcpy(rec, &ino, 8);
    memcpy(rec + 8, &next, 8);
    rec[16] = (u8)reclen;
    rec[17] = (u8)(reclen >> 8);
    rec[18] = dtype(ip);
    memcpy(rec + 19, name, nl);
    if (copyout(&curproc->mm, ubuf + used, rec, reclen) < 0) return -EFAULT;
    used += reclen;
    f->off++;
  }
  return (i32)used;
}

// --- directories ----------------------------------------------------------------------------

static int do_mkdir(struct inode *base, const char *path) {
  struct inode *dir;
  const char *leaf;
  int r = resolve(base, path, &dir, 1, &leaf);
  if (r < 0) return r;
  if (dir_find(dir, leaf, (u32)strlen(leaf) - (leaf[strlen(leaf) - 1] == '/'))) return -EEXIST;
  if (dir->nlink == 0) return -ENOENT;
  return fs_mknode(dir, leaf, I_DIR) ? 0 : -ENOSPC;
}

i32 sys_mkdirat(i32 dirfd, u32 upath, u32 mode) {
  (void)mode;
  int r;
  WITH_PATH(r, dirfd, upath, base, path, r = do_mkdir(base, path));
  return r;
}

static int do_unlink(struct inode *base, const char *path, u32 flags) {
  struct inode *ip;
  int r = resolve(base, path, &ip, 0, NULL);
  if (r < 0) return r;
  if (ip == root || ip->type == I_CONSOLE) return -EBUSY;
  if (flags & AT_REMOVEDIR) {
    if (ip->type != I_DIR) return -ENOTDIR;
    if (ip->child) return -ENOTEMPTY;
  } else if (ip->type == I_DIR) {
    return -EISDIR;
  }
  dir_unlink(ip);
  return 0;
}

i32 sys_unlinkat(i32 dirfd, u32 upath, u32 flags) {
  if (flags & ~(u32)AT_REMOVEDIR) return -EINVAL;
  int r;
  WITH_PATH(r, dirfd, upath, base, path, r = do_unlink(base, path, flags));
  return r;
}

static int do_chdir(struct inode *base, const char *path) {
  struct inode *ip;
  int r = resolve(base, path, &ip, 0, NULL);
  if (r < 0) return r;
  if (ip->type != I_DIR) return -ENOTDIR;
  inode_get(ip);
  inode_put(curproc->cwd);
  curproc->cwd = ip;
  return 0;
}

i32 sys_chdir(u32 upath) {
  int r;
  WITH_PATH(r, AT_FDCWD, upath, base, path, r = do_chdir(base, path));
  return r;
}

static int do_chroot(struct inode *base, const char *path) {
  struct inode *ip;
  int r = resolve(base, path, &ip, 0, NULL);
  if (r < 0) return r;
  if (ip->type != I_DIR) return -ENOTDIR;
  inode_get(ip);
  inode_put(curproc->root);
  curproc->root = ip;
  return 0;
}

// chroot(2), Linux's semantics: the cwd stays where it is. Inside a jail `..` still stops at the
// jail's root, so a cwd left outside the new root gets no further than the jail.
i32 sys_chroot(u32 upath) {
  int r;
  WITH_PATH(r, AT_FDCWD, upath, base, path, r = do_chroot(base, path));
  return r;
}

i32 sys_getcwd(u32 ubuf, u32 size) {
  char buf[256];
  u32 pos = sizeof buf - 1;
  buf[pos] = 0;
  struct inode *top = curproc->root ? curproc->root : root;
  struct inode *jroot = curproc->jail ? curproc->jail->root : root;
  for (struct inode *ip = curproc->cwd; ip != root && ip != top && ip != jroot; ip = ip->parent) {
    u32 nl = strlen(ip->name);
    if (pos < nl + 1) return -ENAMETOOLONG;
    pos -= nl;
    memcpy(buf + pos, ip->name, nl);
    buf[--pos] = '/';
  }
  if (pos == sizeof buf - 1) buf[--pos] = '/';
  u32 len = sizeof buf - pos;
  if (size < len) return -ERANGE;
  return copyout(&curproc->mm, ubuf, buf + pos, len) < 0 ? -EFAULT : (i32)len;
}

i32 sys_dup(i32 fd) {
  struct file *f = fd_get(fd);
  if (!f) return -EBADF;
  int nfd = fd_alloc(curproc, f, 0);
  if (nfd >= 0) file_dup(f);
  return nfd;
}

i32 sys_dup3(i32 fd, i32 nfd, u32 flags) {
  struct file *f = fd_get(fd);
  if (!f || nfd < 0 || nfd >= NOFILE) return -EBADF;
  if (flags & ~(u32)O_CLOEXEC) return -EINVAL;
  if (fd == nfd) return -EINVAL;
  if (!curproc->ofile[nfd] && curproc->jail && !jail_fd_ok(curproc->jail)) return -EMFILE;
  if (curproc->ofile[nfd]) file_close(curproc->ofile[nfd]);
  curproc->ofile[nfd] = file_dup(f);
  curproc->cloexec[nfd] = (flags & O_CLOEXEC) != 0;
  return nfd;
}

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1

i32 sys_fcntl(i32 fd, i32 cmd, u32 arg) {
  struct file *f = fd_get(fd);
  if (!f) return -EBADF;
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
      if (arg >= NOFILE) return -EINVAL;
      int nfd = fd_alloc(curproc, f, (int)arg);
      if (nfd < 0) return nfd;
      file_dup(f);
      curproc->cloexec[nfd] = cmd == F_DUPFD_CLOEXEC;
      return nfd;
    }
    case F_GETFD: return curproc->cloexec[fd] ? FD_CLOEXEC : 0;
    case F_SETFD: curproc->cloexec[fd] = (arg & FD_CLOEXEC) != 0; return 0;
    case F_GETFL:
      return (f->readable && f->writable ? 2 : f->writable ? 1 : 0) | (f->append ? O_APPEND : 0) |
             (f->nonblock ? O_NONBLOCK : 0);
    case F_SETFL:
      f->append = (arg & O_APPEND) != 0;
      f->nonblock = (arg & O_NONBLOCK) != 0;
      return 0;
    default: return -EINVAL;
  }
}

i32 sys_uname(u32 ubuf) {
  const char *fields[6] = {"virtlab", jail_hostname(curproc->jail), "0.1.0", "#1", "riscv32", "(none)"};
  char u[6 * 65];
  memset(u, 0, sizeof u);
  for (int i = 0; i < 6; i++) strncpy_z(u + i * 65, fields[i], 65);
  return copyout(&curproc->mm, ubuf, u, sizeof u) < 0 ? -EFAULT : 0;
}

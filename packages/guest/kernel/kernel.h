// Shared declarations of the kernel: limits, processes, memory, files.
#ifndef KERNEL_H
#define KERNEL_H

#include "arch/arch.h"
#include "errno.h"
#include "jail-abi.h"
#include "types.h"

#define PAGE_SIZE 4096u
#define PAGE_ROUND_UP(x) (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define PAGE_ROUND_DOWN(x) ((x) & ~(PAGE_SIZE - 1))

// Limits.
#define NPROC 32          // process table; fork beyond it fails with EAGAIN
#define NOFILE 32         // descriptors per process
#define NFILE 256         // open files in the system
#define NINODE 512        // in-memory file system nodes
#define NPIPE 32
#define NMMAP 32          // anonymous mappings per process
#define NJAIL 16          // jails in the system
#define NAME_MAX_LEN 59
#define KSTACK_SIZE 8192u
#define MAX_ARG_BYTES 4096u
#define MAX_FILE_PAGES 1024u  // 4 MiB per file

// User address space layout (Sv32; the kernel owns 0x8000_0000 and up, and the MMIO megapage).
#define USER_MIN 0x00001000u
#define USER_BRK_MAX 0x0fc00000u   // the heap stays below the MMIO window at 0x1000_0000
#define MMAP_BASE 0x20000000u
#define MMAP_TOP 0x70000000u
#define USTACK_TOP 0x7fff0000u
#define USTACK_SIZE (8u << 20)
#define KERNEL_BASE 0x80000000u

// Sv32 PTE bits (priv 4.3.1).
#define PTE_V 0x001u
#define PTE_R 0x002u
#define PTE_W 0x004u
#define PTE_X 0x008u
#define PTE_U 0x010u
#define PTE_G 0x020u
#define PTE_A 0x040u
#define PTE_D 0x080u

// Signals with default actions the kernel implements (Linux numbering).
#define SIGILL 4
#define SIGTRAP 5
#define SIGBUS 7
#define SIGKILL 9
#define SIGSEGV 11
#define SIGPIPE 13
#define SIGTERM 15
#define SIGCHLD 17

// lib.c
void *memset(void *d, int c, usize n);
void *memcpy(void *d, const void *s, usize n);
void *memmove(void *d, const void *s, usize n);
int memcmp(const void *a, const void *b, usize n);
usize strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, usize n);
char *strncpy_z(char *d, const char *s, usize n);  // always NUL-terminates
void kprintf(const char *fmt, ...);
__attribute__((noreturn)) void panic(const char *fmt, ...);
u64 udiv64(u64 n, u64 d);

// fdt.c
struct boot_info {
  u32 mem_base, mem_size;
  u32 initrd_start, initrd_end;
  u32 timebase;  // Hz
  char bootargs[256];
  u32 virtio[8];  // virtio-mmio register bases
  u32 nvirtio;
  u32 fdt_start, fdt_size;
};
extern struct boot_info boot;
int fdt_parse(u32 fdt, struct boot_info *bi);

// mm.c
struct mmap_region {
  u32 start, end;  // [start, end), page aligned; end == 0 means free slot
};
struct jail;
struct mm {
  u32 *root;  // Sv32 root page table (physical = virtual in the kernel)
  u32 rss;    // user pages mapped (shared copy-on-write pages count in every sharer)
  struct jail *jail;  // charged for rss (NULL: unjailed)
  u32 brk_base, brk;
  struct mmap_region maps[NMMAP];
};
void mm_init(void);
void *page_alloc(void);  // zeroed page, or NULL
void page_free(void *p);
u32 pages_free(void);
void mm_release_initrd(void);
u32 *kernel_root(void);
int mm_create(struct mm *mm);
void mm_destroy(struct mm *mm);
int mm_copy(struct mm *dst, struct mm *src);
int mm_map_page(struct mm *mm, u32 va, void *page, u32 flags);
int mm_unmap_range(struct mm *mm, u32 start, u32 end);
int mm_fault(struct mm *mm, u32 va, int write, int exec);
int copyin(struct mm *mm, void *dst, u32 uva, u32 n);
int copyout(struct mm *mm, u32 uva, const void *src, u32 n);
int copyinstr(struct mm *mm, char *dst, u32 uva, u32 max);
void mm_activate(struct mm *mm);
void jail_mem_charge(struct jail *j, i32 pages);
int jail_mem_ok(struct jail *j);
static inline void mm_charge(struct mm *mm, i32 pages) {
  mm->rss += (u32)pages;
  if (mm->jail) jail_mem_charge(mm->jail, pages);
}
i32 sys_brk(u32 addr);
i32 sys_mmap(u32 addr, u32 len, u32 prot, u32 flags, i32 fd, u32 off);
i32 sys_munmap(u32 addr, u32 len);

// proc.c
enum proc_state { P_UNUSED, P_EMBRYO, P_RUNNABLE, P_RUNNING, P_SLEEPING, P_ZOMBIE };
struct file;
struct inode;
struct proc {
  enum proc_state state;
  i32 pid;
  struct proc *parent;
  struct mm mm;
  struct trapframe *tf;
  struct context ctx;
  u8 *kstack;
  const void *chan;  // what a sleeping process waits for
  u64 wake_at;       // nanosleep deadline in timer ticks (0: none)
  int killed;        // pending fatal signal number
  int xstatus;       // wait status once a zombie
  struct file *ofile[NOFILE];
  u8 cloexec[NOFILE];  // descriptor flag FD_CLOEXEC: closed by execve
  struct inode *cwd;
  struct inode *root;  // chroot(2) directory (NULL: the file system's root)
  struct jail *jail;   // NULL: not jailed
  u64 attached_at;     // when jail_attach moved it in (CPU time before that is the host's)
  char name[16];
};
extern struct proc *curproc;
void proc_init(void);
__attribute__((noreturn)) void scheduler(void);
void yield(void);
void sleep_on(const void *chan);
void wakeup(const void *chan);
void sleep_until(u64 deadline);
__attribute__((noreturn)) void proc_exit(int status);
void proc_kill_fault(const char *what, int memory, u32 addr);
struct proc *proc_first(const char *path, const char *arg);
u64 ticks_now(void);
u64 ns_to_ticks(u64 ns);
u64 ticks_to_ns(u64 t);
i32 sys_clone(u32 flags, u32 stack);
i32 sys_execve(u32 path, u32 argv, u32 envp);
i32 sys_wait4(i32 pid, u32 status, u32 options, u32 rusage);
i32 sys_kill(i32 pid, i32 sig);
i32 sys_nanosleep(u32 req, u32 rem, int time64);
i32 sys_clock_gettime(u32 clk, u32 tp, int time64);
i32 sys_getpid(void);
i32 sys_getppid(void);
i32 sys_sched_yield(void);
struct proc *proc_next(struct proc *p);  // iterate live processes: proc_next(NULL) is the first
void proc_signal(struct proc *p, int sig);

// jail.c
struct jail {
  int used, dying;
  i32 jid;
  struct jail *parent;
  struct inode *root;
  char name[JAIL_NAME_LEN];
  char hostname[JAIL_HOST_LEN];
  u32 allow, flags, children_max, children;
  u32 maxproc, memoryuse, openfiles, cpu_pct;  // limits (0: none)
  int capped;  // it or an ancestor has a CPU cap: the scheduler checks it
  u32 nproc, forks, memory, memory_peak, denied, throttled;
  u64 cpu_ticks;
  u64 period_start, period_used;  // the CPU cap's current period
  u64 period, budget;             // its length and the ticks the cap allows in it
};
// Whether a process of jail viewer may see one of jail j: the same jail or a descendant (NULL: the host sees all).
static inline int jail_sees(const struct jail *viewer, const struct jail *j) {
  if (!viewer) return 1;
  for (; j; j = j->parent)
    if (j == viewer) return 1;
  return 0;
}
const char *jail_hostname(const struct jail *j);
int jail_proc_charge(struct jail *j);
void jail_proc_uncharge(struct jail *j);
int jail_fd_ok(struct jail *j);
int jail_may_run(struct jail *j, u64 now, u64 *until);
u64 jail_slice(struct jail *j, u64 now, u64 slice);
void jail_cpu_charge(struct jail *j, u64 from, u64 to);
i32 sys_jail_create(u32 params, u32 size);
i32 sys_jail_attach(i32 jid);
i32 sys_jail_remove(i32 jid);
i32 sys_jail_get(i32 jid, u32 info, u32 size);
i32 sys_sethostname(u32 name, u32 len);

// fs.c
enum itype { I_FREE, I_DIR, I_FILE, I_CONSOLE, I_BLOCK };
struct inode {
  enum itype type;
  u32 ino;
  u32 nlink;   // links from directories (0 once unlinked)
  u32 refs;    // open files and cwds that hold it
  u32 size;
  u32 **pages; // file data: one page holding up to MAX_FILE_PAGES page pointers
  struct inode *parent, *child, *next;
  char name[NAME_MAX_LEN + 1];
};
enum ftype { F_NONE, F_INODE, F_PIPE };
struct pipe;
struct file {
  enum ftype type;
  u32 refs;
  int readable, writable, append, nonblock;
  u32 off;
  struct inode *ip;
  struct pipe *pipe;
};
void fs_init(void);
void fs_load_cpio(const u8 *data, u32 len);
void fs_add_block_device(const char *name);
struct inode *fs_root(void);
struct inode *fs_lookup(struct inode *cwd, const char *path);
struct inode *fs_mknode(struct inode *dir, const char *name, enum itype type);
int fs_read_inode(struct inode *ip, void *dst, u32 off, u32 n);
void inode_get(struct inode *ip);
void inode_put(struct inode *ip);
struct file *file_dup(struct file *f);
void file_close(struct file *f);
int fd_install_console(struct proc *p);
void fd_close_on_exec(struct proc *p);
i32 sys_openat(i32 dirfd, u32 path, u32 flags, u32 mode);
i32 sys_close(i32 fd);
i32 sys_read(i32 fd, u32 buf, u32 n);
i32 sys_write(i32 fd, u32 buf, u32 n);
i32 sys_lseek(i32 fd, i32 off, i32 whence);
i32 sys_llseek(i32 fd, u32 hi, u32 lo, u32 result, i32 whence);
i32 sys_fstat(i32 fd, u32 st);
i32 sys_getdents64(i32 fd, u32 buf, u32 n);
i32 sys_mkdirat(i32 dirfd, u32 path, u32 mode);
i32 sys_unlinkat(i32 dirfd, u32 path, u32 flags);
i32 sys_chdir(u32 path);
i32 sys_chroot(u32 path);
i32 sys_getcwd(u32 buf, u32 size);
i32 sys_dup(i32 fd);
i32 sys_dup3(i32 fd, i32 newfd, u32 flags);
i32 sys_pipe2(u32 fds, u32 flags);
i32 sys_uname(u32 buf);
i32 sys_fcntl(i32 fd, i32 cmd, u32 arg);

// virtio.c
int virtio_blk_init(void);
u64 virtio_blk_capacity(void);  // bytes
int virtio_blk_rw(u64 sector, void *buf, u32 nsect, int write);

// console.c in fs.c
int console_read(u32 ubuf, u32 n);

#endif

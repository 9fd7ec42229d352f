// Processes: the table, round-robin scheduling, sleep and wakeup, fork, execve, exit, wait4,
// kill, nanosleep and time.
#include "kernel.h"

static struct proc procs[NPROC];
static u8 kstacks[NPROC][KSTACK_SIZE] __attribute__((aligned(16)));
static struct context sched_ctx;
static i32 next_pid = 1;
static struct proc *initproc;
static u64 quantum;  // timer ticks per time slice
struct proc *curproc;

// A process waiting on a timer deadline sleeps on this channel.
static const char timer_chan = 0;

u64 ticks_now(void) { return arch_time(); }
u64 ns_to_ticks(u64 ns) { return udiv64(ns * boot.timebase + 999999999ull, 1000000000ull); }
u64 ticks_to_ns(u64 t) {
  u64 sec = udiv64(t, boot.timebase);
  u64 rest = t - sec * boot.timebase;
  return sec * 1000000000ull + udiv64(rest * 1000000000ull, boot.timebase);
}

void proc_init(void) { quantum = boot.timebase / 100; }  // 10 ms slices

static void forkret(void) { arch_return_to_user(curproc->tf); }

static struct proc *proc_alloc(void) {
  for (u32 i = 0; i < NPROC; i++) {
    struct proc *p = &procs[i];
    if (p->state != P_UNUSED) continue;
    memset(p, 0, sizeof *p);
    p->state = P_EMBRYO;
    p->pid = next_pid++;
    p->kstack = kstacks[i];
    p->tf = (struct trapframe *)(p->kstack + KSTACK_SIZE - sizeof(struct trapframe));
    memset(p->tf, 0, sizeof *p->tf);
    p->ctx.ra = (u32)forkret;
    p->ctx.sp = (u32)p->tf;
    return p;
  }
  return NULL;
}

static void sched(void) { arch_switch(&curproc->ctx, &sched_ctx); }

void yield(void) {
  curproc->state = P_RUNNABLE;
  sched();
}

void sleep_on(const void *chan) {
  curproc->chan = chan;
  curproc->state = P_SLEEPING;
  sched();
  curproc->chan = NULL;
}

void wakeup(const void *chan) {
  for (u32 i = 0; i < NPROC; i++)
    if (procs[i].state == P_SLEEPING && procs[i].chan == chan) procs[i].state = P_RUNNABLE;
}

// Sleep until the timer reaches deadline (or a fatal signal arrives).
void sleep_until(u64 deadline) {
  curproc->wake_at = deadline;
  while (!curproc->killed && ticks_now() < deadline) sleep_on(&timer_chan);
  curproc->wake_at = 0;
}

void scheduler(void) {
  u32 last = 0;
  struct jail *charge = NULL;  // the jail whose process ran last, charged at the next pass
  u64 charge_from = 0;
  for (;;) {
    u64 now = ticks_now();
    if (charge) {
      jail_cpu_charge(charge, charge_from, now);
      charge = NULL;
    }
    u64 next_wake = ~0ull;
    for (u32 i = 0; i < NPROC; i++) {
      struct proc *p = &procs[i];
      if (p->state != P_SLEEPING || p->chan != &timer_chan) continue;
      if (p->wake_at <= now)
        p->state = P_RUNNABLE;
      else if (p->wake_at < next_wake)
        next_wake = p->wake_at;
    }
    struct proc *run = NULL;
    for (u32 k = 1; k <= NPROC; k++) {
      struct proc *p = &procs[(last + k) % NPROC];
      if (p->state == P_RUNNABLE && (!p->jail || !p->jail->capped || jail_may_run(p->jail, now, &next_wake))) {
        run = p;
        last = (last + k) % NPROC;
        break;
      }
    }
    if (!run) {
      // Nothing to run: sleep until the next deadline (the timer interrupt is pending-only,
      // since interrupts stay globally disabled in the kernel; wfi still wakes up on it).
      arch_set_timer(next_wake);
      arch_wait_for_interrupt();
      continue;
    }
    run->state = P_RUNNING;
    curproc = run;
    mm_activate(&run->mm);
    if (!run->jail) {
      arch_set_timer(ticks_now() + quantum);
      arch_switch(&sched_ctx, &run->ctx);
      if (run->jail) {  // it attached to a jail in this slice
        charge = run->jail;
        charge_from = run->attached_at;
      }
    } else {  // jailed: a slice no longer than the CPU cap leaves; the time is charged next pass
      charge = run->jail;
      charge_from = now;
      arch_set_timer(ticks_now() + (charge->capped ? jail_slice(charge, now, quantum) : quantum));
      arch_switch(&sched_ctx, &run->ctx);
    }
    curproc = NULL;
  }
}

// --- execve -------------------------------------------------------------------------------

#define ELF_PT_LOAD 1
#define EM_RISCV 243
#define AT_NULL 0
#define AT_PAGESZ 6

struct elf32_ehdr {
  u8 ident[16];
  u16 type, machine;
  u32 version, entry, phoff, shoff, flags;
  u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf32_phdr {
  u32 type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

// Arguments gathered in kernel memory before the old image goes away.
struct exec_args {
  char *buf;  // one page: the strings back to back
  u32 used;
  u32 argc, envc;
  u32 off[64];  // string offsets: argv then envp
};

static int args_add(struct exec_args *a, const char *s) {
  u32 n = strlen(s) + 1;
  if (a->argc + a->envc >= 64 || a->used + n > MAX_ARG_BYTES) return -E2BIG;
  memcpy(a->buf + a->used, s, n);
  a->off[a->argc + a->envc] = a->used;
  a->used += n;
  return 0;
}

static int load_elf(struct inode *ip, struct mm *mm, u32 *entry) {
  struct elf32_ehdr eh;
  if (ip->size < sizeof eh || fs_read_inode(ip, &eh, 0, sizeof eh) != sizeof eh) return -ENOEXEC;
  if (memcmp(eh.ident, "\177ELF", 4) != 0 || eh.ident[4] != 1 || eh.ident[5] != 1) return -ENOEXEC;
  if (eh.type != 2 || eh.machine != EM_RISCV || eh.phentsize != sizeof(struct elf32_phdr)) return -ENOEXEC;
  if (eh.phnum > 16 || eh.phoff > ip->size || eh.phnum * sizeof(struct elf32_phdr) > ip->size - eh.phoff)
    return -ENOEXEC;
  u32 top = 0;
  for (u32 i = 0; i < eh.phnum; i++) {
    struct elf32_phdr ph;
    fs_read_inode(ip, &ph, eh.phoff + i * sizeof ph, sizeof ph);
    if (ph.type != ELF_PT_LOAD || ph.memsz == 0) continue;
    if (ph.filesz > ph.memsz || ph.offset > ip->size || ph.filesz > ip->size - ph.offset) return -ENOEXEC;
    if (ph.vaddr < USER_MIN || ph.vaddr + ph.memsz < ph.vaddr || ph.vaddr + ph.memsz > USER_BRK_MAX)
      return -ENOEXEC;
    u32 flags = (ph.flags & 4 ? PTE_R : 0) | (ph.flags & 2 ? PTE_W : 0) | (ph.flags & 1 ? PTE_X : 0);
    for (u32 va = PAGE_ROUND_DOWN(ph.vaddr); va < ph.vaddr + ph.memsz; va += PAGE_SIZE) {
      u32 *pde = &mm->root[va >> 22];
      u32 *pte = (*pde & PTE_V) ? &((u32 *)((*pde >> 10) << 12))[(va >> 12) & 1023] : NULL;
      u8 *page;
      if (pte && (*pte & PTE_V)) {  // shared with the previous segment
        arch_pte_set(pte, *pte | flags);
        page = (u8 *)((*pte >> 10) << 12);
      } else {
        if (mm->jail && !jail_mem_ok(mm->jail)) return -ENOMEM;
        page = page_alloc();
        if (!page || mm_map_page(mm, va, page, flags) < 0) {
          if (page) page_free(page);
          return -ENOMEM;
        }
      }
      // Copy the part of the file image that falls into this page.
      u32 lo = va < ph.vaddr ? ph.vaddr : va;
      u32 hi = va + PAGE_SIZE;
      if (hi > ph.vaddr + ph.filesz) hi = ph.vaddr + ph.filesz;
      if (hi > lo) fs_read_inode(ip, page + (lo - va), ph.offset + (lo - ph.vaddr), hi - lo);
    }
    if (ph.vaddr + ph.memsz > top) top = ph.vaddr + ph.memsz;
  }
  if (top == 0 || eh.entry < USER_MIN || eh.entry >= top) return -ENOEXEC;
  mm->brk_base = mm->brk = PAGE_ROUND_UP(top);
  *entry = eh.entry;
  return 0;
}

// Lay out the Linux initial stack (argc, argv, envp, auxv) in mm; returns the new sp.
static int build_stack(struct mm *mm, struct exec_args *a, u32 *sp_out) {
  u32 strings = (USTACK_TOP - a->used) & ~15u;
  u32 words = 1 + a->argc + 1 + a->envc + 1 + 4;
  u32 sp = (strings - words * 4) & ~15u;
  u32 vec[1 + 64 + 2 + 4];
  u32 k = 0;
  vec[k++] = a->argc;
  for (u32 i = 0; i < a->argc; i++) vec[k++] = strings + a->off[i];
  vec[k++] = 0;
  for (u32 i = 0; i < a->envc; i++) vec[k++] = strings + a->off[a->argc + i];
  vec[k++] = 0;
  vec[k++] = AT_PAGESZ;
  vec[k++] = PAGE_SIZE;
  vec[k++] = AT_NULL;
  vec[k++] = 0;
  if (copyout(mm, strings, a->buf, a->used) < 0 || copyout(mm, sp, vec, k * 4) < 0) return -ENOMEM;
  *sp_out = sp;
  return 0;
}

static const char *basename(const char *path) {
  const char *b = path;
  for (const char *s = path; *s; s++)
    if (*s == '/' && s[1]) b = s + 1;
  return b;
}

// Replace p's image with the program at path. On failure p is unchanged.
static int exec_core(struct proc *p, const char *path, struct exec_args *a) {
  struct inode *ip = fs_lookup(p->cwd, path);
  if (!ip) return -ENOENT;
  if (ip->type != I_FILE) return -EACCES;  // execve(2): not a regular file
  struct mm mm;
  if (mm_create(&mm) < 0) return -ENOMEM;
  mm.jail = p->jail;
  u32 entry = 0, sp = 0;
  int r = load_elf(ip, &mm, &entry);
  if (r == 0) r = build_stack(&mm, a, &sp);
  if (r < 0) {
    mm_destroy(&mm);
    return r;
  }
  struct mm old = p->mm;
  p->mm = mm;
  if (p == curproc) mm_activate(&p->mm);
  mm_destroy(&old);
  memset(p->tf, 0, sizeof *p->tf);
  p->tf->pc = entry;
  p->tf->x[2] = sp;
  strncpy_z(p->name, basename(path), sizeof p->name);
  fd_close_on_exec(p);
  return 0;
}

static int copy_strv(struct exec_args *a, u32 uv, u32 *count, char *tmp) {
  for (u32 i = 0; uv; i++) {
    u32 ptr;
    if (copyin(&curproc->mm, &ptr, uv + i * 4, 4) < 0) return -EFAULT;
    if (!ptr) break;
    int n = copyinstr(&curproc->mm, tmp, ptr, MAX_ARG_BYTES);
    if (n == -ENAMETOOLONG) return -E2BIG;
    if (n < 0) return n;
    int r = args_add(a, tmp);
    if (r < 0) return r;
    (*count)++;
  }
  return 0;
}

i32 sys_execve(u32 upath, u32 argv, u32 envp) {
  char *path = page_alloc();
  char *tmp = page_alloc();
  struct exec_args a;
  memset(&a, 0, sizeof a);
  a.buf = page_alloc();
  int r = -ENOMEM;
  if (path && tmp && a.buf) {
    r = copyinstr(&curproc->mm, path, upath, PAGE_SIZE);
    if (r >= 0) r = copy_strv(&a, argv, &a.argc, tmp);
    if (r >= 0) r = copy_strv(&a, envp, &a.envc, tmp);
    if (r >= 0) r = exec_core(curproc, path, &a);
  }
  if (path) page_free(path);
  if (tmp) page_free(tmp);
  if (a.buf) page_free(a.buf);
  return r;  // on success the return value lands in a0 of the fresh image: 0, like Linux
}

// Process 1 runs the program named on the command line.
struct proc *proc_first(const char *path, const char *args) {
  struct proc *p = proc_alloc();
  if (!p || mm_create(&p->mm) < 0) panic("cannot create init");
  p->cwd = fs_root();
  inode_get(p->cwd);
  fd_install_console(p);
  struct exec_args a;
  memset(&a, 0, sizeof a);
  a.buf = page_alloc();
  args_add(&a, path);
  a.argc = 1;
  // Further words of the init= value (separated by commas, since bootargs splits on spaces).
  char word[64];
  for (const char *s = args; s && *s;) {
    u32 n = 0;
    while (*s && *s != ',' && n + 1 < sizeof word) word[n++] = *s++;
    word[n] = 0;
    if (*s == ',') s++;
    if (n && args_add(&a, word) == 0) a.argc++;
  }
  int r = exec_core(p, path, &a);
  page_free(a.buf);
  if (r < 0) return NULL;
  initproc = p;
  p->state = P_RUNNABLE;
  return p;
}

// --- fork, exit, wait, kill -----------------------------------------------------------------

#define CSIGNAL 0xff

i32 sys_clone(u32 flags, u32 stack) {
  // Only fork semantics: a new address space, SIGCHLD (or no signal) on exit.
  if ((flags & ~CSIGNAL) != 0) return -EINVAL;
  struct jail *j = curproc->jail;
  if (j && jail_proc_charge(j) < 0) return -EAGAIN;  // rctl maxproc
  struct proc *p = proc_alloc();
  if (!p) {
    if (j) jail_proc_uncharge(j);
    return -EAGAIN;
  }
  int r = mm_create(&p->mm);
  p->mm.jail = j;
  if (r < 0 || mm_copy(&p->mm, &curproc->mm) < 0) {
    mm_destroy(&p->mm);
    p->state = P_UNUSED;
    if (j) jail_proc_uncharge(j);
    return -ENOMEM;
  }
  p->jail = j;
  *p->tf = *curproc->tf;
  p->tf->x[10] = 0;
  if (stack) p->tf->x[2] = stack;
  for (u32 i = 0; i < NOFILE; i++)
    if (curproc->ofile[i]) {
      p->ofile[i] = file_dup(curproc->ofile[i]);
      p->cloexec[i] = curproc->cloexec[i];
    }
  p->cwd = curproc->cwd;
  inode_get(p->cwd);
  p->root = curproc->root;
  if (p->root) inode_get(p->root);
  memcpy(p->name, curproc->name, sizeof p->name);
  p->parent = curproc;
  p->state = P_RUNNABLE;
  return p->pid;
}

void proc_exit(int wstatus) {
  struct proc *p = curproc;
  if (p == initproc) {
    // Exit status for the firmware: the code, or 128 + signal like a shell reports it.
    int code = (wstatus & 0x7f) ? 128 + (wstatus & 0x7f) : (wstatus >> 8) & 0xff;
    arch_poweroff(code);
  }
  for (u32 i = 0; i < NOFILE; i++) {
    if (p->ofile[i]) file_close(p->ofile[i]);
    p->ofile[i] = NULL;
  }
  inode_put(p->cwd);
  p->cwd = NULL;
  inode_put(p->root);
  p->root = NULL;
  mm_activate(NULL);
  mm_destroy(&p->mm);
  for (u32 i = 0; i < NPROC; i++) {
    if (procs[i].parent != p) continue;
    procs[i].parent = initproc;
    if (procs[i].state == P_ZOMBIE) wakeup(initproc);
  }
  p->xstatus = wstatus;
  p->state = P_ZOMBIE;
  wakeup(p->parent);
  sched();
  panic("zombie %d ran", p->pid);
}

#define WNOHANG 1

i32 sys_wait4(i32 pid, u32 ustatus, u32 options, u32 rusage) {
  if (options & ~(u32)(WNOHANG | 2 | 8)) return -EINVAL;  // WUNTRACED and WCONTINUED: no stops here
  for (;;) {
    int have = 0;
    for (u32 i = 0; i < NPROC; i++) {
      struct proc *c = &procs[i];
      if (c->parent != curproc || c->state == P_UNUSED) continue;
      if (pid > 0 && c->pid != pid) continue;
      have = 1;
      if (c->state != P_ZOMBIE) continue;
      if (ustatus && copyout(&curproc->mm, ustatus, &c->xstatus, 4) < 0) return -EFAULT;
      if (rusage) {
        u32 zero[18];  // struct rusage with 32-bit time fields: no accounting here
        memset(zero, 0, sizeof zero);
        if (copyout(&curproc->mm, rusage, zero, sizeof zero) < 0) return -EFAULT;
      }
      i32 cpid = c->pid;
      c->state = P_UNUSED;
      c->parent = NULL;
      if (c->jail) jail_proc_uncharge(c->jail);
      c->jail = NULL;
      return cpid;
    }
    if (!have) return -ECHILD;
    if (options & WNOHANG) return 0;
    if (curproc->killed) return -EINTR;
    sleep_on(curproc);
  }
}

i32 sys_kill(i32 pid, i32 sig) {
  if (sig < 0 || sig > 64) return -EINVAL;
  if (pid <= 0) return -EINVAL;  // process groups are not implemented
  for (u32 i = 0; i < NPROC; i++) {
    struct proc *p = &procs[i];
    if (p->pid != pid || p->state == P_UNUSED || p->state == P_EMBRYO) continue;
    if (curproc->jail && !jail_sees(curproc->jail, p->jail)) continue;  // outside the jail's view
    if (p->state == P_ZOMBIE || sig == 0) return 0;
    proc_signal(p, sig);
    return 0;
  }
  return -ESRCH;
}

void proc_signal(struct proc *p, int sig) {
  // Default actions (signal(7)): SIGCHLD, SIGCONT, SIGURG, SIGWINCH are ignored; stop
  // signals are not supported and ignored; everything else terminates.
  if (p->state == P_ZOMBIE || sig == SIGCHLD || (sig >= 18 && sig <= 23) || sig == 28) return;
  if (!p->killed) p->killed = sig;
  if (p->state == P_SLEEPING) p->state = P_RUNNABLE;
}

struct proc *proc_next(struct proc *p) {
  for (u32 i = p ? (u32)(p - procs) + 1 : 0; i < NPROC; i++)
    if (procs[i].state != P_UNUSED && procs[i].state != P_EMBRYO) return &procs[i];
  return NULL;
}

// One console line per fatal fault; memory faults name the address (stval), others only the pc,
// since stval of other exceptions differs between implementations (priv 4.1.9).
void proc_kill_fault(const char *what, int memory, u32 addr) {
  if (memory)
    kprintf("[kernel] pid %d (%s): %s at 0x%p, pc 0x%p: killed\n", curproc->pid, curproc->name, what, addr,
            curproc->tf->pc);
  else
    kprintf("[kernel] pid %d (%s): %s, pc 0x%p: killed\n", curproc->pid, curproc->name, what, curproc->tf->pc);
}

i32 sys_getpid(void) { return curproc->pid; }
// A jailed process sees its parent's pid only inside its view (0 outside, like a pid namespace).
static __attribute__((noinline)) i32 getppid_jailed(struct proc *parent) {
  return jail_sees(curproc->jail, parent->jail) ? parent->pid : 0;
}

i32 sys_getppid(void) {  // native's null system call: no stack frame on the unjailed path
  struct proc *parent = curproc->parent;
  if (!parent) return 0;
  return curproc->jail ? getppid_jailed(parent) : parent->pid;
}

i32 sys_sched_yield(void) {
  yield();
  return 0;
}

i32 sys_nanosleep(u32 ureq, u32 urem, int time64) {
  i64 sec;
  i32 nsec;
  if (time64) {
    u32 ts[4];
    if (copyin(&curproc->mm, ts, ureq, 16) < 0) return -EFAULT;
    sec = (i64)(((u64)ts[1] << 32) | ts[0]);
    nsec = (i32)ts[2];
  } else {
    i32 ts[2];
    if (copyin(&curproc->mm, ts, ureq, 8) < 0) return -EFAULT;
    sec = ts[0];
    nsec = ts[1];
  }
  if (sec < 0 || nsec < 0 || nsec >= 1000000000) return -EINVAL;
  sleep_until(ticks_now() + ns_to_ticks((u64)sec * 1000000000ull + (u64)nsec));
  if (curproc->killed) return -EINTR;
  if (urem) {
    u32 zero[4] = {0, 0, 0, 0};
    if (copyout(&curproc->mm, urem, zero, time64 ? 16 : 8) < 0) return -EFAULT;
  }
  return 0;
}

// Clock 0..7 (realtime, monotonic, cputime, boottime, ...) all read the platform timer since
// boot: the machine has no real-time clock, and determinism wants no host time.
i32 sys_clock_gettime(u32 clk, u32 utp, int time64) {
  if (clk > 11) return -EINVAL;
  u64 ns = ticks_to_ns(ticks_now());
  u64 sec = udiv64(ns, 1000000000ull);
  u32 nsec = (u32)(ns - sec * 1000000000ull);
  if (time64) {
    u32 ts[4] = {(u32)sec, (u32)(sec >> 32), nsec, 0};
    return copyout(&curproc->mm, utp, ts, 16) < 0 ? -EFAULT : 0;
  }
  u32 ts[2] = {(u32)sec, nsec};
  return copyout(&curproc->mm, utp, ts, 8) < 0 ? -EFAULT : 0;
}

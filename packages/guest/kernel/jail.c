// Jails: one kernel, many isolated user spaces (FreeBSD jail(2) in spirit). A jail holds a root
// directory, a host name, allow.* permissions, a nesting limit and rctl-style limits (processes,
// resident pages, open files, a CPU cap), and the accounting of its processes. Unjailed processes
// (jail == NULL) take none of these paths beyond one pointer test.
#include "kernel.h"

static struct jail jails[NJAIL];
static i32 next_jid = 1;
static char host_name[JAIL_HOST_LEN] = "virtlab";
static u32 host_children;

// Ticks per CPU-cap period: one time slice (10 ms). A cap of p % lets the jail run p/100 of each
// period; rctl(8) and Solaris caps measure over longer windows, but the lab runs are short.
static u64 cap_period(void) { return (u64)boot.timebase / 100; }

const char *jail_hostname(const struct jail *j) { return j ? j->hostname : host_name; }

static struct jail *jail_by_id(i32 jid) {
  for (u32 i = 0; i < NJAIL; i++)
    if (jails[i].used && !jails[i].dying && jails[i].jid == jid) return &jails[i];
  return NULL;
}

static int name_ok(const char *s) {
  if (!*s) return 0;
  for (; *s; s++) {
    char c = *s;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
      return 0;
  }
  return 1;
}

// The slot goes back once the jail is removed and nothing is left in it.
static void jail_release(struct jail *j) {
  while (j && j->used && j->dying && j->nproc == 0 && j->children == 0) {
    struct jail *parent = j->parent;
    inode_put(j->root);
    j->used = 0;
    if (parent) parent->children--;
    else host_children--;
    j = parent;
  }
}

void jail_mem_charge(struct jail *j, i32 pages) {
  for (; j; j = j->parent) {
    j->memory += (u32)pages;
    if (j->memory > j->memory_peak) j->memory_peak = j->memory;
  }
}

int jail_mem_ok(struct jail *j) {
  for (struct jail *k = j; k; k = k->parent)
    if (k->memoryuse && k->memory >= k->memoryuse) {
      j->denied++;
      return 0;
    }
  return 1;
}

int jail_proc_charge(struct jail *j) {
  for (struct jail *k = j; k; k = k->parent)
    if (k->maxproc && k->nproc >= k->maxproc) {
      j->denied++;
      return -EAGAIN;
    }
  for (struct jail *k = j; k; k = k->parent) {
    k->nproc++;
    k->forks++;
  }
  return 0;
}

void jail_proc_uncharge(struct jail *j) {
  for (struct jail *k = j; k; k = k->parent) k->nproc--;
  jail_release(j);
}

static u32 fds_of(struct jail *j) {
  u32 n = 0;
  for (struct proc *p = proc_next(NULL); p; p = proc_next(p))
    if (jail_sees(j, p->jail))
      for (u32 fd = 0; fd < NOFILE; fd++) n += p->ofile[fd] != NULL;
  return n;
}

int jail_fd_ok(struct jail *j) {
  for (struct jail *k = j; k; k = k->parent)
    if (k->openfiles && fds_of(k) >= k->openfiles) {
      j->denied++;
      return 0;
    }
  return 1;
}

// --- the CPU cap ------------------------------------------------------------------------------

static void cap_roll(struct jail *j, u64 now) {
  u64 since = now - j->period_start;
  if (since >= j->period) {  // a new period (the division only on rollover)
    j->period_start = now - (since - udiv64(since, j->period) * j->period);
    j->period_used = 0;
  }
}

// 0 when j or an ancestor used its share of the current period; *until then is when it may again.
int jail_may_run(struct jail *j, u64 now, u64 *until) {
  for (struct jail *k = j; k; k = k->parent) {
    if (!k->cpu_pct) continue;
    cap_roll(k, now);
    if (k->period_used >= k->budget) {
      u64 next = k->period_start + k->period;
      if (next < *until) *until = next;
      j->throttled++;
      return 0;
    }
  }
  return 1;
}

// How long a process of j may run from now before a cap is spent (at most slice).
u64 jail_slice(struct jail *j, u64 now, u64 slice) {
  for (struct jail *k = j; k; k = k->parent) {
    if (!k->cpu_pct) continue;
    cap_roll(k, now);
    u64 left = k->budget > k->period_used ? k->budget - k->period_used : 1;
    if (left < slice) slice = left;
  }
  return slice;
}

// A run of j's process over [from, to): CPU time, and the part inside the cap's current period.
void jail_cpu_charge(struct jail *j, u64 from, u64 to) {
  for (; j; j = j->parent) {
    j->cpu_ticks += to - from;
    if (!j->cpu_pct) continue;
    cap_roll(j, to);
    j->period_used += to - (from > j->period_start ? from : j->period_start);
  }
}

// --- system calls -----------------------------------------------------------------------------

static void devfs_populate(struct inode *rootdir) {
  struct inode *dev = fs_lookup(rootdir, "dev");
  if (!dev) dev = fs_mknode(rootdir, "dev", I_DIR);
  if (!dev || dev->type != I_DIR) return;
  if (!fs_lookup(dev, "console")) fs_mknode(dev, "console", I_CONSOLE);
  if (virtio_blk_capacity() && !fs_lookup(dev, "vda")) {
    struct inode *ip = fs_mknode(dev, "vda", I_BLOCK);
    if (ip) ip->size = (u32)virtio_blk_capacity();
  }
}

i32 sys_jail_create(u32 uparams, u32 size) {
  struct jail_params jp;
  if (size != sizeof jp) return -EINVAL;
  if (copyin(&curproc->mm, &jp, uparams, sizeof jp) < 0) return -EFAULT;
  jp.name[JAIL_NAME_LEN - 1] = jp.path[JAIL_PATH_LEN - 1] = jp.hostname[JAIL_HOST_LEN - 1] = 0;
  if (!name_ok(jp.name) || (jp.allow & ~JAIL_ALLOW_ALL) || (jp.flags & ~JAIL_MOUNT_DEVFS) || jp.cpu_pct > 100)
    return -EINVAL;
  struct jail *parent = curproc->jail;
  // A jail grants nothing its creator lacks, and holds at most children.max children.
  if (parent && (jp.allow & ~parent->allow)) return -EPERM;
  if (parent ? parent->children >= parent->children_max : host_children >= NJAIL) return -EPERM;
  for (u32 i = 0; i < NJAIL; i++)
    if (jails[i].used && !jails[i].dying && jails[i].parent == parent && !strcmp(jails[i].name, jp.name)) return -EEXIST;
  struct inode *rootdir = fs_lookup(curproc->cwd, jp.path);
  if (!rootdir) return -ENOENT;
  if (rootdir->type != I_DIR) return -ENOTDIR;
  struct jail *j = NULL;
  for (u32 i = 0; i < NJAIL && !j; i++)
    if (!jails[i].used) j = &jails[i];
  if (!j) return -EAGAIN;
  memset(j, 0, sizeof *j);
  j->used = 1;
  j->jid = next_jid++;
  j->parent = parent;
  j->root = rootdir;
  inode_get(rootdir);
  strncpy_z(j->name, jp.name, sizeof j->name);
  strncpy_z(j->hostname, jp.hostname[0] ? jp.hostname : jail_hostname(parent), sizeof j->hostname);
  j->allow = jp.allow;
  j->flags = jp.flags;
  j->children_max = jp.children_max;
  j->maxproc = jp.maxproc;
  j->memoryuse = jp.memoryuse;
  j->openfiles = jp.openfiles;
  j->cpu_pct = jp.cpu_pct;
  j->capped = jp.cpu_pct || (parent && parent->capped);
  j->period_start = ticks_now();
  j->period = cap_period();
  j->budget = udiv64(j->period * j->cpu_pct, 100);
  if (parent) parent->children++;
  else host_children++;
  if (jp.flags & JAIL_MOUNT_DEVFS) devfs_populate(rootdir);
  return j->jid;
}

i32 sys_jail_attach(i32 jid) {
  struct jail *j = jail_by_id(jid);
  if (!j || !jail_sees(curproc->jail, j)) return -EINVAL;
  if (j == curproc->jail) return 0;
  int r = jail_proc_charge(j);
  if (r < 0) return r;
  struct jail *old = curproc->jail;
  jail_mem_charge(j, (i32)curproc->mm.rss);
  if (old) {
    jail_mem_charge(old, -(i32)curproc->mm.rss);
    jail_proc_uncharge(old);
  }
  curproc->jail = j;
  curproc->mm.jail = j;
  curproc->attached_at = ticks_now();
  inode_get(j->root);
  inode_put(curproc->root);
  curproc->root = j->root;
  inode_get(j->root);
  inode_put(curproc->cwd);
  curproc->cwd = j->root;
  return 0;
}

i32 sys_jail_remove(i32 jid) {
  struct jail *j = jail_by_id(jid);
  if (!j || !jail_sees(curproc->jail, j)) return -EINVAL;
  if (jail_sees(j, curproc->jail)) return -EPERM;  // not from inside
  for (u32 i = 0; i < NJAIL; i++)
    if (jails[i].used && jail_sees(j, &jails[i])) jails[i].dying = 1;
  for (struct proc *p = proc_next(NULL); p; p = proc_next(p))
    if (p->jail && jail_sees(j, p->jail)) proc_signal(p, SIGKILL);
  for (u32 i = 0; i < NJAIL; i++)
    if (jails[i].used && jail_sees(j, &jails[i])) jail_release(&jails[i]);
  return 0;
}

i32 sys_jail_get(i32 jid, u32 uinfo, u32 size) {
  struct jail_info ji;
  if (size != sizeof ji) return -EINVAL;
  struct jail *j = jid == 0 ? curproc->jail : jail_by_id(jid);
  if (!j || !jail_sees(curproc->jail, j)) return -EINVAL;
  memset(&ji, 0, sizeof ji);
  ji.jid = j->jid;
  ji.parent = j->parent ? j->parent->jid : 0;
  strncpy_z(ji.name, j->name, sizeof ji.name);
  strncpy_z(ji.hostname, j->hostname, sizeof ji.hostname);
  ji.allow = j->allow;
  ji.flags = j->flags;
  ji.children_max = j->children_max;
  ji.maxproc = j->maxproc;
  ji.memoryuse = j->memoryuse;
  ji.openfiles = j->openfiles;
  ji.cpu_pct = j->cpu_pct;
  ji.children = j->children;
  ji.nproc = j->nproc;
  ji.forks = j->forks;
  ji.memory = j->memory;
  ji.memory_peak = j->memory_peak;
  ji.cpu_lo = (u32)j->cpu_ticks;
  ji.cpu_hi = (u32)(j->cpu_ticks >> 32);
  ji.denied = j->denied;
  ji.throttled = j->throttled;
  return copyout(&curproc->mm, uinfo, &ji, sizeof ji) < 0 ? -EFAULT : 0;
}

// sethostname(2): the host's name outside jails; a jail's own with allow.set_hostname.
i32 sys_sethostname(u32 uname, u32 len) {
  struct jail *j = curproc->jail;
  if (j && !(j->allow & JAIL_ALLOW_SET_HOSTNAME)) return -EPERM;
  if (len >= JAIL_HOST_LEN) return -EINVAL;
  char buf[JAIL_HOST_LEN];
  if (copyin(&curproc->mm, buf, uname, len) < 0) return -EFAULT;
  buf[len] = 0;
  strncpy_z(j ? j->hostname : host_name, buf, JAIL_HOST_LEN);
  return 0;
}

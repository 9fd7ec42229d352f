/* The jail system calls: numbers in a private range (outside Linux's asm-generic table, which
 * ends below 0x200, and outside the 1000-1099 band the fuzzer probes for ENOSYS), and the
 * structures they exchange. Shared by the kernel and the initrd programs; plain C types only,
 * so both the freestanding kernel and the libc programs include it. Errors are -errno. */
#ifndef JAIL_ABI_H
#define JAIL_ABI_H

#define SYS_jail_create 0x7a00 /* (const struct jail_params *, size) -> jid */
#define SYS_jail_attach 0x7a01 /* (jid) -> 0: the caller moves into the jail, cwd and root = its path */
#define SYS_jail_remove 0x7a02 /* (jid) -> 0: every process of the jail and its children is killed */
#define SYS_jail_get 0x7a03    /* (jid, struct jail_info *, size) -> 0; jid 0: the caller's own jail */

/* allow.* permissions (a child jail never gets one its parent lacks). */
#define JAIL_ALLOW_SET_HOSTNAME 0x1u /* sethostname(2) changes the jail's host name */
#define JAIL_ALLOW_RAW_IO 0x2u       /* open(2) of a block device node (the raw disk) */
#define JAIL_ALLOW_ALL 0x3u

/* Flags. */
#define JAIL_MOUNT_DEVFS 0x1u /* create dev/console (and dev/vda when a disk exists) under the root */

#define JAIL_NAME_LEN 32
#define JAIL_PATH_LEN 128
#define JAIL_HOST_LEN 64

/* What jail_create takes. A limit of 0 means none (the parent's limits still apply). */
struct jail_params {
  char name[JAIL_NAME_LEN];     /* [A-Za-z0-9_.-]+, unique among the parent's children */
  char path[JAIL_PATH_LEN];     /* root directory, resolved in the caller's view */
  char hostname[JAIL_HOST_LEN]; /* empty: the parent's */
  unsigned allow;               /* JAIL_ALLOW_* */
  unsigned flags;               /* JAIL_MOUNT_* */
  unsigned children_max;        /* child jails it may hold (0: none) */
  unsigned maxproc;             /* processes in the jail and its children */
  unsigned memoryuse;           /* resident user pages */
  unsigned openfiles;           /* open descriptors of all its processes */
  unsigned cpu_pct;             /* CPU cap in percent of the machine per 10 ms period (0: none) */
};

/* What jail_get returns: the configuration and the accounting. */
struct jail_info {
  int jid, parent; /* parent 0: the host */
  char name[JAIL_NAME_LEN];
  char hostname[JAIL_HOST_LEN];
  unsigned allow, flags, children_max, maxproc, memoryuse, openfiles, cpu_pct;
  unsigned children;    /* child jails now */
  unsigned nproc;       /* processes now (zombies included until reaped) */
  unsigned forks;       /* processes ever created or attached in it */
  unsigned memory;      /* resident user pages now */
  unsigned memory_peak; /* the most resident user pages at any time */
  unsigned cpu_lo, cpu_hi; /* CPU time of its processes, in ticks of the time CSR */
  unsigned denied;      /* requests refused by its limits (maxproc, memoryuse, openfiles) */
  unsigned throttled;   /* scheduling passes that skipped it for its CPU cap */
};

#endif

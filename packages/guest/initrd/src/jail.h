/* The jail system calls for the initrd's programs (numbers and structures: kernel/jail-abi.h),
 * and the file the host writes for the jail daemon (/etc/jails.bin, little-endian, written by
 * @virtlab/os-containers: layout mirrored in its src/config-image.ts). */
#ifndef INITRD_JAIL_H
#define INITRD_JAIL_H

#include "../../kernel/jail-abi.h"
#include "sys.h"

static inline long jail_create(const struct jail_params *p) { return syscall(SYS_jail_create, (long)p, (long)sizeof *p); }
static inline long jail_attach(long jid) { return syscall(SYS_jail_attach, jid); }
static inline long jail_remove(long jid) { return syscall(SYS_jail_remove, jid); }
static inline long jail_get(long jid, struct jail_info *ji) { return syscall(SYS_jail_get, jid, (long)ji, (long)sizeof *ji); }
static inline long sys_sethostname(const char *name, unsigned long len) { return syscall(161, (long)name, (long)len); }
static inline long sys_chroot(const char *path) { return syscall(51, (long)path); }

#define JC_MAGIC 0x434a4c56u /* "VLJC" */
#define JC_VERSION 1u
#define JC_MAX_JAILS 16
#define JC_MAX_RUNS 8
#define JC_ARGS 8
#define JC_ARG_LEN 64

struct jc_header {
  uint32_t magic, version, njails, nruns;
};
struct jc_jail {
  struct jail_params params;
  int32_t parent;  /* index of the parent jail in the file, -1: the host */
  uint32_t zone;   /* 1: report the zone lifecycle */
};
struct jc_run {
  uint32_t jail;    /* index of the jail it runs in */
  uint32_t primary; /* 1: the daemon's exit status is this run's; the rest stop once primaries end */
  uint32_t argc;
  char argv[JC_ARGS][JC_ARG_LEN];
};

#endif

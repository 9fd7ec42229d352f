// Boot: read the device tree, set up memory, the file system and devices, start process 1.
#include "kernel.h"

struct boot_info boot;

// The value of key=... in the kernel command line, copied into out.
static int bootarg(const char *key, char *out, u32 size) {
  u32 kl = strlen(key);
  for (const char *s = boot.bootargs; *s;) {
    while (*s == ' ') s++;
    const char *e = s;
    while (*e && *e != ' ') e++;
    if ((u32)(e - s) > kl && strncmp(s, key, kl) == 0 && s[kl] == '=') {
      u32 n = (u32)(e - s) - kl - 1;
      if (n >= size) n = size - 1;
      memcpy(out, s + kl + 1, n);
      out[n] = 0;
      return 1;
    }
    s = e;
  }
  return 0;
}

void kmain(u32 hartid, u32 fdt) {
  (void)hartid;
  arch_init();
  if (fdt_parse(fdt, &boot) < 0) panic("no device tree at 0x%p", fdt);
  if (!boot.mem_size) panic("device tree has no memory node");
  if (!boot.timebase) boot.timebase = 10000000;
  mm_init();
  fs_init();
  if (boot.initrd_end > boot.initrd_start) {
    fs_load_cpio((const u8 *)boot.initrd_start, boot.initrd_end - boot.initrd_start);
    mm_release_initrd();
  }
  if (virtio_blk_init() == 0) fs_add_block_device("vda");
  proc_init();
  char init[128], args[128];
  if (!bootarg("init", init, sizeof init)) {
    strncpy_z(init, "/bin/sh", sizeof init);
    kprintf("virtlab kernel 0.1.0: %u MiB RAM, %u KiB initrd, %s\n", boot.mem_size >> 20,
            (boot.initrd_end - boot.initrd_start) >> 10, virtio_blk_capacity() ? "disk /dev/vda" : "no disk");
  }
  char *comma = init;
  while (*comma && *comma != ',') comma++;
  args[0] = 0;
  if (*comma) {
    strncpy_z(args, comma + 1, sizeof args);
    *comma = 0;
  }
  if (!proc_first(init, args)) panic("cannot run init %s", init);
  scheduler();
}

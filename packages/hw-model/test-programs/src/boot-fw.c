/*
 * QEMU's boot protocol seen from the firmware (QEMU-NOTES.md): the hart starts in M-mode at
 * 0x8000_0000 with a0 = hart id, a1 = the device tree, a2 = fw_dynamic_info. The firmware prints
 * what it was given, walks the device tree (devicetree spec v0.4 chapter 5) for /chosen and
 * /memory, opens PMP, and enters the kernel in S-mode at fw_dynamic_info.next_addr.
 */
#include "rt.h"

struct fw_dynamic_info { uint32_t magic, version, next_addr, next_mode, options, boot_hart; };

static uint32_t be32(const uint8_t *p) { return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]; }

static int streq(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

static int starts(const char *a, const char *prefix) {
  while (*prefix && *a == *prefix) a++, prefix++;
  return *prefix == 0;
}

static void walk_fdt(const uint8_t *fdt) {
  show("fdt magic", be32(fdt));
  show("fdt version", be32(fdt + 20));
  const uint8_t *p = fdt + be32(fdt + 8);
  const char *strings = (const char *)fdt + be32(fdt + 12);
  const char *path[8] = {0};
  int depth = -1;
  for (;;) {
    uint32_t token = be32(p);
    p += 4;
    if (token == 1) { /* FDT_BEGIN_NODE */
      const char *name = (const char *)p;
      uint32_t n = 0;
      while (name[n]) n++;
      p += (n + 4) & ~3u;
      if (++depth < 8) path[depth] = name;
    } else if (token == 2) { /* FDT_END_NODE */
      depth--;
    } else if (token == 3) { /* FDT_PROP */
      uint32_t len = be32(p), nameoff = be32(p + 4);
      const uint8_t *value = p + 8;
      const char *prop = strings + nameoff;
      p += 8 + ((len + 3) & ~3u);
      if (depth == 1 && streq(path[1], "chosen")) {
        if (streq(prop, "bootargs") || streq(prop, "stdout-path")) {
          puts_(prop);
          puts_(" = \"");
          puts_((const char *)value);
          puts_("\"\n");
        } else if (starts(prop, "linux,initrd-")) {
          show(prop, be32(value + (len == 8 ? 4 : 0))); /* one or two cells */
        }
      } else if (depth == 1 && starts(path[1], "memory@") && streq(prop, "reg")) {
        show("memory base", be32(value + 4));
        show("memory size", be32(value + 12));
      } else if (depth == 1 && streq(path[1], "cpus") && streq(prop, "timebase-frequency")) {
        show("timebase-frequency", be32(value));
      }
    } else if (token == 4) { /* FDT_NOP */
    } else {
      break; /* FDT_END */
    }
  }
}

int main(void) {
  uint32_t hartid = boot_args[0], fdt = boot_args[1], info = boot_args[2];
  puts_("firmware in M mode\n");
  show("a0 (hart id)", hartid);
  show("a1 (fdt)", fdt);
  show("a2 (fw_dynamic_info)", info);
  const struct fw_dynamic_info *d = (const struct fw_dynamic_info *)info;
  show("magic", d->magic);
  show("version", d->version);
  show("next_addr", d->next_addr);
  show("next_mode", d->next_mode);
  walk_fdt((const uint8_t *)fdt);
  csr_write(pmpaddr0, 0xffffffffu);
  csr_write(pmpcfg0, 0x1f);
  csr_clear(mstatus, 3u << 11);
  csr_set(mstatus, (d->next_mode & 3) << 11);
  csr_write(mepc, d->next_addr);
  __asm__ volatile("mv a0, %0\n mv a1, %1\n mret" ::"r"(hartid), "r"(fdt) : "a0", "a1");
  return 1;
}

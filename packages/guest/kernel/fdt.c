// Flattened device tree reader (Devicetree Specification v0.4, chapter 5): memory, timebase,
// /chosen bootargs and initrd range, virtio-mmio devices.
#include "kernel.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

static u32 be32(const void *p) {
  const u8 *b = p;
  return ((u32)b[0] << 24) | ((u32)b[1] << 16) | ((u32)b[2] << 8) | b[3];
}

// Read a cells-sized number (1 or 2 cells); 64-bit values above 4 GiB are not addressable here.
static u32 cells(const u8 *p, u32 n) { return n == 2 ? be32(p + 4) : be32(p); }

static int starts_with(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

int fdt_parse(u32 fdt, struct boot_info *bi) {
  const u8 *base = (const u8 *)fdt;
  if (be32(base) != FDT_MAGIC) return -1;
  bi->fdt_start = fdt;
  bi->fdt_size = be32(base + 4);
  const u8 *st = base + be32(base + 8);
  const char *strings = (const char *)base + be32(base + 12);
  const u8 *end = st + be32(base + 36);
  int depth = 0;
  u32 addr_cells = 2, size_cells = 1;  // of the root, read from its properties
  const char *path[8] = {0};
  int is_virtio = 0;
  u32 reg_addr = 0;
  for (const u8 *p = st; p < end;) {
    u32 tok = be32(p);
    p += 4;
    if (tok == FDT_BEGIN_NODE) {
      const char *name = (const char *)p;
      if (depth < 8) path[depth] = name;
      depth++;
      is_virtio = 0;
      reg_addr = 0;
      p += (strlen(name) + 4) & ~3u;
    } else if (tok == FDT_END_NODE) {
      if (is_virtio && bi->nvirtio < 8) bi->virtio[bi->nvirtio++] = reg_addr;
      is_virtio = 0;
      depth--;
    } else if (tok == FDT_PROP) {
      u32 len = be32(p), nameoff = be32(p + 4);
      const u8 *val = p + 8;
      const char *pname = strings + nameoff;
      p += 8 + ((len + 3) & ~3u);
      const char *node = depth >= 1 && depth <= 8 ? path[depth - 1] : "";
      if (depth == 1) {
        if (!strcmp(pname, "#address-cells")) addr_cells = be32(val);
        if (!strcmp(pname, "#size-cells")) size_cells = be32(val);
      } else if (depth == 2 && starts_with(node, "memory") && !strcmp(pname, "reg")) {
        bi->mem_base = cells(val, addr_cells);
        bi->mem_size = cells(val + 4 * addr_cells, size_cells);
      } else if (depth == 2 && !strcmp(node, "cpus") && !strcmp(pname, "timebase-frequency")) {
        bi->timebase = be32(val);
      } else if (depth == 2 && !strcmp(node, "chosen")) {
        if (!strcmp(pname, "bootargs")) strncpy_z(bi->bootargs, (const char *)val, sizeof bi->bootargs);
        if (!strcmp(pname, "linux,initrd-start")) bi->initrd_start = len == 8 ? be32(val + 4) : be32(val);
        if (!strcmp(pname, "linux,initrd-end")) bi->initrd_end = len == 8 ? be32(val + 4) : be32(val);
      } else if (depth == 3 && !strcmp(pname, "compatible") && !strcmp((const char *)val, "virtio,mmio")) {
        is_virtio = 1;
      } else if (depth == 3 && !strcmp(pname, "reg")) {
        reg_addr = cells(val, 2);  // /soc uses two address cells on QEMU virt and the lab board
      }
    } else if (tok == FDT_NOP) {
      continue;
    } else if (tok == FDT_END) {
      break;
    } else {
      return -1;
    }
  }
  return 0;
}

/* The kernel half of the boot-protocol test: entered in S-mode with a0 = hart id, a1 = device
 * tree; reads the initrd QEMU placed at 0x8440_0000 and ends through the finisher. */
#include "rt.h"

int main(void) {
  puts_("kernel in S mode\n");
  show("a0", boot_args[0]);
  show("a1", boot_args[1]);
  show("sstatus.SPP", (csr_read(sstatus) >> 8) & 1);
  puts_("initrd: ");
  const char *rd = (const char *)0x84400000u;
  for (int i = 0; i < 64 && rd[i] != '\n'; i++) putc_(rd[i]);
  putc_('\n');
  return 0;
}

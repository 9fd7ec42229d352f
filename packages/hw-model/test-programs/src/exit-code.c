/* A failing exit through the finisher: QEMU and the board must both exit with status 7. */
#include "rt.h"

int main(void) {
  puts_("exiting with 7\n");
  return 7;
}

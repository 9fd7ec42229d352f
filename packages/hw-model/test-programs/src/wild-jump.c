/* A jump to an address where nothing is mapped: instruction access fault (cause 1), mtval = the
 * target, reported by crt0's trap handler, which exits with 99. */
#include "rt.h"

int main(void) {
  puts_("jumping to 0x0\n");
  void (*volatile nowhere)(void) = (void (*)(void))0;
  nowhere();
  return 0;
}

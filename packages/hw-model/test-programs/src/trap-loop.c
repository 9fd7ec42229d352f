/* A guest that can never end: it points mtvec at unmapped memory and jumps there, so every trap
 * entry faults again. Only an instruction budget stops it (the board reports the budget). */
#include "rt.h"

int main(void) {
  puts_("trapping forever\n");
  csr_write(mtvec, 0x4u);
  void (*volatile nowhere)(void) = (void (*)(void))0;
  nowhere();
  return 0;
}

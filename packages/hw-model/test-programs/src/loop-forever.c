/* A guest that spins forever with interrupts off: only an instruction budget stops it. */
#include "rt.h"

int main(void) {
  puts_("looping forever\n");
  for (volatile uint32_t i = 0;; i++) {
  }
}

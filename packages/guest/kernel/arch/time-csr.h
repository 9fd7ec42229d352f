// arch_time, shared by every arch layer: the `time` CSR pair read consistently (priv 3.1.10,
// Zicntr). Legal in U-mode when mcounteren/scounteren grant TM, as the para hypervisor does.
u64 arch_time(void) {
  u32 hi, lo, hi2;
  do {
    __asm__ volatile("csrr %0, timeh" : "=r"(hi));
    __asm__ volatile("csrr %0, time" : "=r"(lo));
    __asm__ volatile("csrr %0, timeh" : "=r"(hi2));
  } while (hi != hi2);
  return ((u64)hi << 32) | lo;
}

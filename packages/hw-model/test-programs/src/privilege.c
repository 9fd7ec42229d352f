/*
 * Privilege transitions (priv 3.1.6.1, 3.3.2, 4.1.1): mret into S and U mode, ecall back,
 * delegation of U-mode ecalls to S (medeleg), an S-mode sret into U, and an M-mode CSR touched
 * from U that must trap as an illegal instruction with the instruction bits in mtval.
 */
#include "rt.h"

#define MSTATUS_MPP_MASK (3u << 11)
#define MSTATUS_MPP_S (1u << 11)
#define MSTATUS_MPP_U (0u << 11)
#define SSTATUS_SPP (1u << 8)

static volatile uint32_t m_traps;
static volatile uint32_t s_traps;
/* Where the M handler returns to after a trap (set by each step). */
static volatile uint32_t resume_at;

/* M-mode trap handler: report, then continue in M-mode at resume_at. */
__attribute__((interrupt("machine"), aligned(4))) static void m_handler(void) {
  m_traps++;
  uint32_t cause = csr_read(mcause);
  puts_("M trap: ");
  show("mcause", cause);
  show("  mtval", csr_read(mtval));
  show("  MPP", (csr_read(mstatus) >> 11) & 3);
  csr_write(mepc, resume_at);
  csr_set(mstatus, MSTATUS_MPP_MASK); /* return to M */
}

/* S-mode trap handler: U ecalls land here through medeleg. */
__attribute__((interrupt("supervisor"), aligned(4))) static void s_handler(void) {
  s_traps++;
  puts_("S trap: ");
  show("scause", csr_read(scause));
  show("  SPP", (csr_read(sstatus) >> 8) & 1);
  csr_write(sepc, csr_read(sepc) + 4);
}

static void in_s_mode(void);
static void go_u(void);
static void in_u_mode(void);
static void back_in_m(void);
static void u_from_s(void);
static void u_code(void);
static void done(void);

/* Enters `target` in the mode `mpp` by mret; the next M trap resumes in M-mode at `resume`. */
__attribute__((noreturn)) static void enter(uint32_t mpp, void (*target)(void), void (*resume)(void)) {
  resume_at = (uint32_t)resume;
  csr_clear(mstatus, MSTATUS_MPP_MASK);
  csr_set(mstatus, mpp);
  csr_write(mepc, (uint32_t)target);
  __asm__ volatile("mret");
  __builtin_unreachable();
}

static void in_s_mode(void) {
  puts_("in S mode\n");
  __asm__ volatile("ecall"); /* cause 9: ecall from S */
}

static void go_u(void) { enter(MSTATUS_MPP_U, in_u_mode, back_in_m); }

static void in_u_mode(void) {
  puts_("in U mode\n");
  __asm__ volatile("ecall"); /* cause 8: ecall from U, not delegated yet */
}

static void back_in_m(void) {
  puts_("back in M\n");
  /* Delegate U ecalls to S, then go S -> U with sret. */
  csr_write(medeleg, 1u << 8);
  csr_write(stvec, (uint32_t)s_handler);
  enter(MSTATUS_MPP_S, u_from_s, done);
}

static void u_from_s(void) {
  puts_("in S mode again\n");
  csr_clear(sstatus, SSTATUS_SPP);
  csr_write(sepc, (uint32_t)u_code);
  __asm__ volatile("sret");
}

static void u_code(void) {
  puts_("U via sret\n");
  __asm__ volatile("ecall"); /* delegated: lands in s_handler, which returns past it */
  puts_("U after delegated ecall\n");
  /* Reading mstatus from U is illegal (priv 2.1): trap to M with the instruction in mtval. */
  (void)csr_read(mstatus);
  puts_("not reached\n");
}

static void done(void) {
  show("M traps", m_traps);
  show("S traps", s_traps);
  finish(0);
}

int main(void) {
  puts_("privilege test\n");
  csr_write(mtvec, (uint32_t)m_handler);
  /* Without a PMP entry S and U may not touch memory (priv 3.7.1): open everything with NAPOT. */
  csr_write(pmpaddr0, 0xffffffffu);
  csr_write(pmpcfg0, 0x1f); /* R W X, NAPOT */
  enter(MSTATUS_MPP_S, in_s_mode, go_u);
}

/* The tiny runtime of the board test programs: UART output, numbers, exit through the finisher. */
#ifndef RT_H
#define RT_H
#include <stdint.h>

#define UART0 0x10000000u
#define FINISHER 0x00100000u
#define CLINT 0x02000000u
#define PLIC 0x0c000000u

static inline void mmio_write8(uint32_t a, uint8_t v) { *(volatile uint8_t *)a = v; }
static inline uint8_t mmio_read8(uint32_t a) { return *(volatile uint8_t *)a; }
static inline void mmio_write32(uint32_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint32_t mmio_read32(uint32_t a) { return *(volatile uint32_t *)a; }

#define csr_read(name) ({ uint32_t v_; __asm__ volatile("csrr %0, " #name : "=r"(v_)); v_; })
#define csr_write(name, v) __asm__ volatile("csrw " #name ", %0" ::"r"((uint32_t)(v)))
#define csr_set(name, v) __asm__ volatile("csrs " #name ", %0" ::"r"((uint32_t)(v)))
#define csr_clear(name, v) __asm__ volatile("csrc " #name ", %0" ::"r"((uint32_t)(v)))

/* a0, a1, a2 at entry (crt0.S). */
extern uint32_t boot_args[3];

/*
 * Sleep in WFI until `cond` holds, without the lost wake-up: the interrupt enable (`status_csr`
 * bit `ie`) is off while `cond` is checked, and WFI still wakes for an interrupt pending in
 * mie/sie (priv 3.3.3), which is taken once the enable is back on.
 */
#define WAIT_UNTIL(status_csr, ie, cond)          \
  do {                                            \
    for (;;) {                                    \
      csr_clear(status_csr, ie);                  \
      if (cond) {                                 \
        csr_set(status_csr, ie);                  \
        break;                                    \
      }                                           \
      __asm__ volatile("wfi");                    \
      csr_set(status_csr, ie);                    \
    }                                             \
  } while (0)

void putc_(char c);
void puts_(const char *s);
void put_hex(uint32_t v);
void put_dec(uint32_t v);
/* "label=0x1234\n" */
void show(const char *label, uint32_t v);
__attribute__((noreturn)) void finish(int code);
__attribute__((noreturn)) void unexpected_trap(uint32_t cause, uint32_t epc, uint32_t tval);

#endif

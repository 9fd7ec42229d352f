/* Hostile S-mode guests: each is a "kernel" that attacks the machine it is given instead of
 * running on it. Built once per attack (-DATTACK_<NAME>); on the lab board under vmm-full each
 * runs in a VM of HOSTILE_RAM bytes at guest-physical 0x8000_0000, beside another VM.
 *
 *   ESCAPE  loads and stores past its RAM (where, in host-physical terms, the next VM's slice and
 *           the hypervisor's shadow pool lie), its own page table mapping memory outside its RAM,
 *           M-mode CSRs (PMP, mstatus, mtvec) and mret; it prints what each attack got, then
 *           points satp at a root table outside its RAM and faults on every fetch, forever.
 *   FLOOD   writes its UART's THR forever.
 *   SPIN    disables its interrupts and spins forever.
 *   SSTATUS not an attack but a probe of the sensitive instructions that the `legacy` ISA profile
 *           leaves unprivileged: it reads sstatus in its trap vector after an ebreak taken in
 *           S-mode (SPP must be 1, priv 4.1.1) and sets sstatus.SIE to take a timer interrupt in
 *           S-mode (scause 0x8000_0005). Trap-and-emulate cannot see either access on `legacy`.
 *   VIRTIO  reads sector 0 of its virtio-blk into its RAM, then gives the device the same request
 *           with the data buffer, then the descriptor table, outside its RAM, and prints the
 *           device status it reads back each time.
 *
 * Expected results come from the privileged specification (an access outside any memory or
 * device is an access fault, cause 5 for loads, 7 for stores, 1 for fetches; an M-mode CSR or
 * mret in S-mode is an illegal instruction, cause 2) and from virtio 1.1 section 2.1.2 (a device
 * that cannot go on sets DEVICE_NEEDS_RESET, 0x40). */
#include <stdint.h>

#include "../firmware/sbi.h"

#define HOSTILE_RAM (16u << 20)
#define RAM_BASE 0x80000000u
#define RAM_END (RAM_BASE + HOSTILE_RAM)
/* Where host-physical memory beside a 16 MiB VM lies on a board laid out [pool | slice | pool |
 * slice]: an address a guest that assumed identity mapping would try. */
#define BESIDE (RAM_END + 0x00800000u)
#define UART_THR ((volatile uint8_t *)0x10000000u)
#define VIRTIO0 0x10001000u
/* Each attack uses some of the helpers below. */
#define HELPER static __attribute__((unused))

struct trap_record {
  uint32_t scause, stval, sepc, saved, sstatus;
};
volatile struct trap_record hostile_trap;

static long sbi(uint32_t eid, uint32_t fid, uint32_t a0) {
  register uint32_t r0 __asm__("a0") = a0;
  register uint32_t r1 __asm__("a1") = 0;
  register uint32_t r6 __asm__("a6") = fid;
  register uint32_t r7 __asm__("a7") = eid;
  __asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r6), "r"(r7) : "memory");
  return (long)r0;
}

HELPER void put_str(const char *s) {
  while (*s) sbi(SBI_EXT_LEGACY_PUTCHAR, 0, (uint8_t)*s++);
}

HELPER void put_hex(uint32_t v) {
  put_str("0x");
  for (int shift = 28; shift >= 0; shift -= 4) sbi(SBI_EXT_LEGACY_PUTCHAR, 0, "0123456789abcdef"[(v >> shift) & 15]);
}

HELPER void shutdown(void) {
  sbi(SBI_EXT_SRST, 0, SBI_SRST_SHUTDOWN);
  for (;;) {
  }
}

HELPER void clear_trap(void) {
  hostile_trap.scause = 0xffffffffu;
  hostile_trap.stval = 0;
}

/* One line per attack: "<what>: scause=<n> stval=<hex>", or "<what>: no trap" when it got through. */
HELPER void report(const char *what) {
  put_str(what);
  if (hostile_trap.scause == 0xffffffffu) {
    put_str(": no trap\n");
    return;
  }
  put_str(": scause=");
  put_hex(hostile_trap.scause);
  put_str(" stval=");
  put_hex(hostile_trap.stval);
  put_str("\n");
}

HELPER uint32_t load(uint32_t addr) {
  clear_trap();
  uint32_t v = 0xdeadbeefu;
  __asm__ volatile("lw %0, 0(%1)" : "+r"(v) : "r"(addr) : "memory");
  return v;
}

HELPER void store(uint32_t addr, uint32_t v) {
  clear_trap();
  __asm__ volatile("sw %0, 0(%1)" ::"r"(v), "r"(addr) : "memory");
}

#if defined(ATTACK_ESCAPE)
static uint32_t root[1024] __attribute__((aligned(4096)));

#define PTE_V 0x1u
#define PTE_R 0x2u
#define PTE_W 0x4u
#define PTE_X 0x8u
#define PTE_A 0x40u
#define PTE_D 0x80u
#define MEGA(pa) ((((pa) >> 12) << 10) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

static void attack(void) {
  load(RAM_END);
  report("load past RAM");
  store(RAM_END + 0x1000u, 0x41414141u);
  report("store past RAM");
  load(BESIDE);
  report("load beside");
  store(BESIDE, 0x41414141u);
  report("store beside");

  /* Its own page table: its RAM identity-mapped by megapages, and VA 0x4000_0000 onto memory past it. */
  for (uint32_t pa = RAM_BASE; pa < RAM_END; pa += 0x400000u) root[pa >> 22] = MEGA(pa);
  root[0x40000000u >> 22] = MEGA(BESIDE);
  root[0x40400000u >> 22] = MEGA(RAM_END);
  __asm__ volatile("csrw satp, %0\n sfence.vma" ::"r"(0x80000000u | ((uint32_t)root >> 12)) : "memory");
  load(0x40000000u);
  report("load via own PTE beside");
  store(0x40400010u, 0x41414141u);
  report("store via own PTE past RAM");
  __asm__ volatile("csrw satp, zero\n sfence.vma" ::: "memory");

  clear_trap();
  __asm__ volatile("li t0, -1\n csrw pmpaddr0, t0" ::: "t0");
  report("csrw pmpaddr0");
  clear_trap();
  __asm__ volatile("li t0, 0x1f\n csrw pmpcfg0, t0" ::: "t0");
  report("csrw pmpcfg0");
  clear_trap();
  __asm__ volatile("li t0, 0x1800\n csrs mstatus, t0" ::: "t0");
  report("csrs mstatus");
  clear_trap();
  __asm__ volatile("csrw mtvec, zero");
  report("csrw mtvec");
  clear_trap();
  __asm__ volatile("mret");
  report("mret");
  put_str("escape: done\n");

  /* Last: a root table outside its RAM. Every fetch now faults, and so does the vector's. */
  __asm__ volatile("csrw satp, %0\n sfence.vma\n nop" ::"r"(0x80000000u | (BESIDE >> 12)) : "memory");
  for (;;) {
  }
}
#elif defined(ATTACK_FLOOD)
static void attack(void) {
  for (uint32_t i = 0;; i++) *UART_THR = (uint8_t)('A' + i % 26);
}
#elif defined(ATTACK_SPIN)
static void attack(void) {
  __asm__ volatile("csrci sstatus, 2\n csrw sie, zero");
  for (;;) {
    __asm__ volatile("" ::: "memory");
  }
}
#elif defined(ATTACK_VIRTIO)
/* The first virtio-mmio slot holding a block device (QEMU fills the slots from the top). */
static uint32_t blk = VIRTIO0;
#define REG(off) (*(volatile uint32_t *)(blk + (off)))
/* A queue of size 4 (virtio 1.1 section 2.6) and a well-formed read request: header, data, status. */
static struct {
  uint32_t addr_lo, addr_hi, len;
  uint16_t flags, next;
} desc[4] __attribute__((aligned(16)));
static struct {
  uint16_t flags, idx, ring[4], used_event;
} avail __attribute__((aligned(2)));
static struct {
  uint16_t flags, idx;
  struct {
    uint32_t id, len;
  } ring[4];
  uint16_t avail_event;
} used __attribute__((aligned(4)));
static struct {
  uint32_t type, reserved, sector_lo, sector_hi;
} header;
static uint8_t data[512];
static volatile uint8_t status_byte;

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2

static void set_desc(int i, uint32_t addr, uint32_t len, uint16_t flags) {
  desc[i].addr_lo = addr;
  desc[i].addr_hi = 0;
  desc[i].len = len;
  desc[i].flags = flags;
  desc[i].next = (uint16_t)(i + 1);
}

/* Sets the device up with its descriptor table at desc_table, submits a read of sector 0 into
 * `buffer` and returns the device status it then reads. */
static uint32_t try_queue(uint32_t desc_table, uint32_t buffer) {
  avail.idx = 0;
  used.idx = 0;
  status_byte = 0xff;
  REG(0x070) = 0;         /* reset */
  REG(0x070) = 1 | 2;     /* ACKNOWLEDGE | DRIVER */
  REG(0x024) = 1;         /* DriverFeaturesSel: bits 32..63 */
  REG(0x020) = 1;         /* VIRTIO_F_VERSION_1 */
  REG(0x070) = 1 | 2 | 8; /* FEATURES_OK */
  REG(0x030) = 0;         /* QueueSel */
  REG(0x038) = 4;         /* QueueNum */
  REG(0x080) = desc_table;
  REG(0x084) = 0;
  REG(0x090) = (uint32_t)&avail;
  REG(0x094) = 0;
  REG(0x0a0) = (uint32_t)&used;
  REG(0x0a4) = 0;
  REG(0x044) = 1;             /* QueueReady */
  REG(0x070) = 1 | 2 | 8 | 4; /* DRIVER_OK */
  header.type = 0;            /* VIRTIO_BLK_T_IN */
  header.sector_lo = 0;
  set_desc(0, (uint32_t)&header, sizeof header, VIRTQ_DESC_F_NEXT);
  set_desc(1, buffer, sizeof data, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE);
  set_desc(2, (uint32_t)&status_byte, 1, VIRTQ_DESC_F_WRITE);
  avail.ring[0] = 0;
  __asm__ volatile("fence" ::: "memory");
  avail.idx = 1;
  __asm__ volatile("fence" ::: "memory");
  REG(0x050) = 0; /* QueueNotify */
  return REG(0x070);
}

static void attack(void) {
  for (uint32_t i = 0; i < 8; i++) {
    blk = VIRTIO0 + i * 0x1000u;
    if (REG(0x008) == 2) break;
  }
  put_str("virtio magic ");
  put_hex(REG(0x000));
  put_str(" device ");
  put_hex(REG(0x008));
  put_str("\nin RAM: status ");
  put_hex(try_queue((uint32_t)desc, (uint32_t)data));
  put_str(" used.idx ");
  put_hex(used.idx);
  put_str(" request status ");
  put_hex(status_byte);
  put_str(" data[0] ");
  put_hex(data[0]);
  put_str("\nbuffer beside: status ");
  put_hex(try_queue((uint32_t)desc, BESIDE));
  put_str(" used.idx ");
  put_hex(used.idx);
  put_str("\ntable beside: status ");
  put_hex(try_queue(BESIDE, (uint32_t)data));
  put_str(" used.idx ");
  put_hex(used.idx);
  put_str("\n");
  shutdown();
}
#elif defined(ATTACK_SSTATUS)
static void attack(void) {
  clear_trap();
  __asm__ volatile("ebreak");
  put_str("ebreak in S: scause=");
  put_hex(hostile_trap.scause);
  put_str(" SPP=");
  put_hex((hostile_trap.sstatus >> 8) & 1);
  put_str("\n");

  uint32_t now;
  __asm__ volatile("csrr %0, time" : "=r"(now));
  clear_trap();
  __asm__ volatile("csrs sie, %0" ::"r"(0x20u)); /* STIE */
  sbi(SBI_EXT_TIME, 0, now + 1000u);             /* set_timer, 100 us ahead (10 MHz timebase) */
  __asm__ volatile("csrsi sstatus, 2");          /* SIE */
  /* Wait for it until 10 ms past the deadline (by the time CSR, so a slow host cannot cut it short). */
  for (uint32_t t = now; hostile_trap.scause == 0xffffffffu && t - now < 101000u;) __asm__ volatile("csrr %0, time" : "=r"(t)::"memory");
  __asm__ volatile("csrci sstatus, 2");
  put_str("timer in S: ");
  if (hostile_trap.scause == 0xffffffffu) put_str("not taken\n");
  else {
    put_str("scause=");
    put_hex(hostile_trap.scause);
    put_str("\n");
  }
  shutdown();
}
#else
#error "define one ATTACK_<NAME>"
#endif

void hostile_main(void) {
  put_str("hostile guest up\n");
  attack();
}

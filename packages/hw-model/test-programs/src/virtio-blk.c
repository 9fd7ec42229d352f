/*
 * virtio-blk over virtio-mmio version 2 (virtio 1.1 sections 3.1, 4.2, 5.2): find the block
 * device among the eight slots, negotiate VERSION_1, set up one split virtqueue, read sector 0,
 * write sector 1, read it back, flush, and wait for each completion with the used-ring interrupt
 * routed through the PLIC to MEIP. QEMU: -global virtio-mmio.force-legacy=false and a raw drive.
 */
#include "rt.h"

#define VIRTIO_BASE 0x10001000u
#define SLOT(i) (VIRTIO_BASE + 0x1000u * (i))
#define QSIZE 8
#define PLIC_PRIORITY(irq) (PLIC + 4u * (irq))
#define PLIC_ENABLE0 (PLIC + 0x2000u)
#define PLIC_THRESHOLD0 (PLIC + 0x200000u)
#define PLIC_CLAIM0 (PLIC + 0x200004u)

struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct avail { uint16_t flags, idx, ring[QSIZE], used_event; };
struct used_elem { uint32_t id, len; };
struct used { uint16_t flags, idx; struct used_elem ring[QSIZE]; uint16_t avail_event; };
struct req { uint32_t type, reserved; uint64_t sector; };

static struct desc descs[QSIZE] __attribute__((aligned(16)));
static struct avail avail __attribute__((aligned(2)));
static struct used used __attribute__((aligned(4)));
static struct req hdr;
static uint8_t buf[512];
static volatile uint8_t status;
static volatile uint32_t irqs;
static uint32_t dev;
static uint32_t dev_irq;

static uint32_t r(uint32_t off) { return mmio_read32(dev + off); }
static void w(uint32_t off, uint32_t v) { mmio_write32(dev + off, v); }

__attribute__((interrupt("machine"), aligned(4))) static void handler(void) {
  uint32_t cause = csr_read(mcause);
  if (cause != 0x8000000bu) unexpected_trap(cause, csr_read(mepc), csr_read(mtval));
  uint32_t irq = mmio_read32(PLIC_CLAIM0);
  if (irq == dev_irq) {
    w(0x064, r(0x060)); /* InterruptACK what InterruptStatus shows */
    irqs++;
  }
  mmio_write32(PLIC_CLAIM0, irq);
}

static void request(uint32_t type, uint32_t sector, int data, int device_writes) {
  hdr.type = type;
  hdr.reserved = 0;
  hdr.sector = sector;
  status = 0xff;
  descs[0] = (struct desc){(uint32_t)&hdr, sizeof hdr, 1, 1};
  if (data) {
    descs[1] = (struct desc){(uint32_t)buf, sizeof buf, (uint16_t)(1 | (device_writes ? 2 : 0)), 2};
    descs[2] = (struct desc){(uint32_t)&status, 1, 2, 0};
  } else {
    descs[0].next = 2;
    descs[2] = (struct desc){(uint32_t)&status, 1, 2, 0};
  }
  uint16_t before = used.idx;
  uint32_t irqs_before = irqs;
  avail.ring[avail.idx % QSIZE] = 0;
  __sync_synchronize();
  avail.idx++;
  __sync_synchronize();
  w(0x050, 0); /* QueueNotify */
  WAIT_UNTIL(mstatus, 1u << 3, *(volatile uint16_t *)&used.idx != before && irqs != irqs_before);
  puts_("  status ");
  put_dec(status);
  puts_(", used len ");
  put_dec(used.ring[before % QSIZE].len);
  putc_('\n');
}

static void show_bytes(const char *label, int n) {
  puts_(label);
  for (int i = 0; i < n; i++) putc_((char)(buf[i] >= 32 && buf[i] < 127 ? buf[i] : '.'));
  putc_('\n');
}

int main(void) {
  puts_("virtio-blk test\n");
  for (int i = 0; i < 8 && dev == 0; i++) {
    if (mmio_read32(SLOT(i)) == 0x74726976u && mmio_read32(SLOT(i) + 8) == 2) {
      dev = SLOT(i);
      dev_irq = 1 + (uint32_t)i;
    }
  }
  if (dev == 0) {
    puts_("no block device\n");
    return 1;
  }
  show("version", r(0x004));
  w(0x070, 0);
  w(0x070, 1);
  w(0x070, 3);
  w(0x014, 1);
  show("features[1] has VERSION_1", r(0x010) & 1);
  w(0x024, 1);
  w(0x020, 1); /* VIRTIO_F_VERSION_1 */
  w(0x024, 0);
  w(0x020, 1u << 9); /* VIRTIO_BLK_F_FLUSH */
  w(0x070, 11);
  show("FEATURES_OK kept", (r(0x070) >> 3) & 1);
  show("capacity", r(0x100));
  w(0x030, 0);
  show("queue max >= 8", r(0x034) >= QSIZE);
  w(0x038, QSIZE);
  w(0x080, (uint32_t)descs); w(0x084, 0);
  w(0x090, (uint32_t)&avail); w(0x094, 0);
  w(0x0a0, (uint32_t)&used); w(0x0a4, 0);
  w(0x044, 1);
  w(0x070, 15);

  mmio_write32(PLIC_PRIORITY(dev_irq), 1);
  mmio_write32(PLIC_ENABLE0, 1u << dev_irq);
  mmio_write32(PLIC_THRESHOLD0, 0);
  csr_write(mtvec, (uint32_t)handler);
  csr_set(mie, 1u << 11);
  csr_set(mstatus, 1u << 3);

  puts_("read sector 0\n");
  request(0, 0, 1, 1);
  show_bytes("  data: ", 32);
  puts_("write sector 1\n");
  for (int i = 0; i < 512; i++) buf[i] = (uint8_t)('A' + i % 26);
  request(1, 1, 1, 0);
  for (int i = 0; i < 512; i++) buf[i] = 0;
  puts_("read sector 1\n");
  request(0, 1, 1, 1);
  show_bytes("  data: ", 32);
  puts_("flush\n");
  request(4, 0, 0, 0);
  puts_("read past the end\n");
  request(0, 1000000, 1, 1);
  show("interrupts", irqs);
  return 0;
}

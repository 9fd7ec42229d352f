// virtio-blk over virtio-mmio (VIRTIO 1.1, sections 4.2 and 5.2), polled, one request at a time.
// Speaks the modern interface (version 2) and, for QEMU's default, the legacy one (version 1).
#include "kernel.h"

#define VIRTIO_MAGIC 0x74726976u
#define R_MAGIC 0x000
#define R_VERSION 0x004
#define R_DEVICE_ID 0x008
#define R_DEVICE_FEATURES 0x010
#define R_DEVICE_FEATURES_SEL 0x014
#define R_DRIVER_FEATURES 0x020
#define R_DRIVER_FEATURES_SEL 0x024
#define R_GUEST_PAGE_SIZE 0x028  // legacy
#define R_QUEUE_SEL 0x030
#define R_QUEUE_NUM_MAX 0x034
#define R_QUEUE_NUM 0x038
#define R_QUEUE_ALIGN 0x03c  // legacy
#define R_QUEUE_PFN 0x040    // legacy
#define R_QUEUE_READY 0x044
#define R_QUEUE_NOTIFY 0x050
#define R_INTERRUPT_STATUS 0x060
#define R_INTERRUPT_ACK 0x064
#define R_STATUS 0x070
#define R_QUEUE_DESC_LOW 0x080
#define R_QUEUE_DESC_HIGH 0x084
#define R_QUEUE_AVAIL_LOW 0x090
#define R_QUEUE_AVAIL_HIGH 0x094
#define R_QUEUE_USED_LOW 0x0a0
#define R_QUEUE_USED_HIGH 0x0a4
#define R_CONFIG 0x100

#define S_ACKNOWLEDGE 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define VIRTIO_F_VERSION_1 (1u << 0)  // bit 32: in the second feature word

#define QSIZE 8
#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1

struct vring_desc {
  u64 addr;
  u32 len;
  u16 flags, next;
};
struct vring_avail {
  u16 flags, idx, ring[QSIZE], used_event;
};
struct vring_used_elem {
  u32 id, len;
};
struct vring_used {
  u16 flags, idx;
  struct vring_used_elem ring[QSIZE];
};

// The legacy layout puts the used ring at the next page boundary after desc + avail.
static u8 ring_mem[2 * PAGE_SIZE] __attribute__((aligned(4096)));
static struct vring_desc *desc = (struct vring_desc *)ring_mem;
static struct vring_avail *avail = (struct vring_avail *)(ring_mem + QSIZE * sizeof(struct vring_desc));
static struct vring_used *used = (struct vring_used *)(ring_mem + PAGE_SIZE);

static volatile u32 *regs;
static u64 capacity;  // bytes
static u16 last_used;
static struct {
  u32 type, reserved;
  u64 sector;
} req;
static volatile u8 req_status;

static u32 rd(u32 off) { return regs[off / 4]; }
static void wr(u32 off, u32 v) { regs[off / 4] = v; }

static int setup(volatile u32 *base) {
  regs = base;
  u32 version = rd(R_VERSION);
  wr(R_STATUS, 0);
  wr(R_STATUS, S_ACKNOWLEDGE);
  wr(R_STATUS, S_ACKNOWLEDGE | S_DRIVER);
  // No optional features: read-only, flush, geometry and the rest are not needed.
  wr(R_DRIVER_FEATURES_SEL, 0);
  wr(R_DRIVER_FEATURES, 0);
  wr(R_DRIVER_FEATURES_SEL, 1);
  wr(R_DRIVER_FEATURES, version == 2 ? VIRTIO_F_VERSION_1 : 0);
  if (version == 2) {
    wr(R_STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
    if (!(rd(R_STATUS) & S_FEATURES_OK)) return -1;
  }
  wr(R_QUEUE_SEL, 0);
  if (rd(R_QUEUE_NUM_MAX) < QSIZE) return -1;
  wr(R_QUEUE_NUM, QSIZE);
  if (version == 1) {
    wr(R_GUEST_PAGE_SIZE, PAGE_SIZE);
    wr(R_QUEUE_ALIGN, PAGE_SIZE);
    wr(R_QUEUE_PFN, (u32)ring_mem / PAGE_SIZE);
  } else {
    wr(R_QUEUE_DESC_LOW, (u32)desc);
    wr(R_QUEUE_DESC_HIGH, 0);
    wr(R_QUEUE_AVAIL_LOW, (u32)avail);
    wr(R_QUEUE_AVAIL_HIGH, 0);
    wr(R_QUEUE_USED_LOW, (u32)used);
    wr(R_QUEUE_USED_HIGH, 0);
    wr(R_QUEUE_READY, 1);
  }
  wr(R_STATUS, S_ACKNOWLEDGE | S_DRIVER | (version == 2 ? S_FEATURES_OK : 0) | S_DRIVER_OK);
  capacity = ((u64)rd(R_CONFIG + 4) << 32 | rd(R_CONFIG)) * 512;
  return 0;
}

int virtio_blk_init(void) {
  // The first virtio-mmio slot with a block device (device id 2), in address order.
  u32 best = 0;
  for (u32 i = 0; i < boot.nvirtio; i++) {
    volatile u32 *r = (volatile u32 *)boot.virtio[i];
    if (r[R_MAGIC / 4] != VIRTIO_MAGIC || r[R_DEVICE_ID / 4] != 2) continue;
    u32 v = r[R_VERSION / 4];
    if (v != 1 && v != 2) continue;
    if (!best || boot.virtio[i] < best) best = boot.virtio[i];
  }
  if (!best) return -1;
  return setup((volatile u32 *)best);
}

u64 virtio_blk_capacity(void) { return capacity; }

int virtio_blk_rw(u64 sector, void *buf, u32 nsect, int write) {
  if (!capacity) return -ENXIO;
  if ((sector + nsect) * 512 > capacity) return -EIO;
  req.type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
  req.reserved = 0;
  req.sector = sector;
  req_status = 0xff;
  desc[0] = (struct vring_desc){(u32)&req, sizeof req, VRING_DESC_F_NEXT, 1};
  desc[1] = (struct vring_desc){(u32)buf, nsect * 512, (u16)(VRING_DESC_F_NEXT | (write ? 0 : VRING_DESC_F_WRITE)), 2};
  desc[2] = (struct vring_desc){(u32)&req_status, 1, VRING_DESC_F_WRITE, 0};
  avail->ring[avail->idx % QSIZE] = 0;
  __asm__ volatile("fence rw, rw" ::: "memory");
  avail->idx++;
  __asm__ volatile("fence rw, rw" ::: "memory");
  wr(R_QUEUE_NOTIFY, 0);
  while (*(volatile u16 *)&used->idx == last_used) __asm__ volatile("" ::: "memory");
  last_used++;
  __asm__ volatile("fence rw, rw" ::: "memory");
  wr(R_INTERRUPT_ACK, rd(R_INTERRUPT_STATUS));
  return req_status == 0 ? 0 : -EIO;
}

// The para kernel's block front end: the disk behind a shared ring (para-abi.h) instead of a
// virtio-blk device. It implements the kernel's block interface (kernel.h, "virtio.c": init,
// capacity, read/write), so fs.c's /dev/vda is the same code on both arch layers. A transfer is
// split into one request per 4 KiB, all pushed before one notification; responses may come back
// in any order and are matched by id.
#include "../kernel.h"
#include "para-abi.h"

extern struct para_shared_info para_shared;

static struct blk_ring ring __attribute__((aligned(4096)));
static u32 capacity_sectors;
static u32 rsp_cons;
static u32 next_id = 1;

int virtio_blk_init(void) {
  struct hcret r = para_hcall(HC_BLK_CONNECT, (u32)&ring, 0, 0);
  if (r.error) return -1;  // no disk for this domain
  capacity_sectors = r.value;
  return 0;
}

u64 virtio_blk_capacity(void) { return (u64)capacity_sectors * 512; }

int virtio_blk_rw(u64 sector, void *buf, u32 nsect, int write) {
  u8 *p = buf;
  int failed = 0;
  while (nsect > 0) {
    u32 first_id = next_id, sent = 0;
    // Push as many requests as the ring holds, then notify once.
    while (nsect > 0 && sent < BLK_RING_SIZE) {
      u32 n = nsect < BLK_MAX_SECTORS ? nsect : BLK_MAX_SECTORS;
      struct blk_request *rq = &ring.req[ring.req_prod % BLK_RING_SIZE];
      rq->id = next_id++;
      rq->op = write ? BLK_OP_WRITE : BLK_OP_READ;
      rq->sector_lo = (u32)sector;
      rq->sector_hi = (u32)(sector >> 32);
      rq->nsect = n;
      rq->buf = (u32)p;
      __atomic_thread_fence(__ATOMIC_RELEASE);
      ring.req_prod++;
      sector += n;
      p += n * 512;
      nsect -= n;
      sent++;
    }
    para_hcall(HC_EVTCHN_SEND, PORT_BLOCK, 0, 0);
    // Collect the responses (by id, in whatever order they come), waiting for the event.
    u32 got = 0, seen = 0;
    while (got < sent) {
      while (rsp_cons == __atomic_load_n(&ring.rsp_prod, __ATOMIC_ACQUIRE)) {
        para_hcall(HC_SCHED_OP, SCHED_BLOCK, 0, 0);
        __atomic_fetch_and(&para_shared.pending, ~(1u << PORT_BLOCK), __ATOMIC_SEQ_CST);
      }
      struct blk_response *rs = &ring.rsp[rsp_cons % BLK_RING_SIZE];
      u32 k = rs->id - first_id;
      if (k >= sent || (seen & (1u << k))) panic("block ring: response for unknown or finished request %u", rs->id);
      seen |= 1u << k;
      if (rs->status != 0) failed = 1;
      rsp_cons++;
      got++;
    }
    __atomic_fetch_and(&para_shared.pending, ~(1u << PORT_BLOCK), __ATOMIC_SEQ_CST);
  }
  return failed ? -EIO : 0;
}

// Physical pages, Sv32 address spaces, demand-zero faults, user memory access, brk and mmap.
// The kernel maps all of RAM and the MMIO window with identity megapages (not U-accessible) in
// every address space, so a physical address is also a kernel virtual address.
#include "kernel.h"

#define MMIO_WINDOW 0x10000000u  // virtio-mmio and UART live in this 4 MiB megapage
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20

#define MAX_RAM (256u << 20)  // RAM beyond this is left unused (the reference counts are static)
#define PTE_COW (1u << 8)     // RSW bit: a write must copy this shared page first (priv 4.3.1)

static u32 kroot[1024] __attribute__((aligned(4096)));
// References to each physical page: 1 when allocated, more while forked address spaces share it.
static u16 page_refs[MAX_RAM / PAGE_SIZE];
static void *free_list;
static u32 nfree;
extern char kernel_end[];

static int reserved(u32 pa, u32 start, u32 end) { return pa + PAGE_SIZE > start && pa < end; }

static u16 *ref_of(void *p) { return &page_refs[((u32)p - boot.mem_base) / PAGE_SIZE]; }

void mm_init(void) {
  if (boot.mem_size > MAX_RAM) boot.mem_size = MAX_RAM;
  u32 top = boot.mem_base + boot.mem_size;
  u32 fdt_lo = PAGE_ROUND_DOWN(boot.fdt_start), fdt_hi = PAGE_ROUND_UP(boot.fdt_start + boot.fdt_size);
  u32 rd_lo = PAGE_ROUND_DOWN(boot.initrd_start), rd_hi = PAGE_ROUND_UP(boot.initrd_end);
  // Push pages from the top down so that the lowest pages come out first.
  for (u32 pa = PAGE_ROUND_DOWN(top) - PAGE_SIZE; pa >= PAGE_ROUND_UP((u32)kernel_end); pa -= PAGE_SIZE) {
    if (reserved(pa, fdt_lo, fdt_hi) || reserved(pa, rd_lo, rd_hi)) continue;
    *(void **)pa = free_list;
    free_list = (void *)pa;
    nfree++;
  }
  for (u32 pa = boot.mem_base & 0xffc00000u; pa < top; pa += 0x400000u)
    arch_pte_set(&kroot[pa >> 22], ((pa >> 12) << 10) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | PTE_G);
  arch_pte_set(&kroot[MMIO_WINDOW >> 22], ((MMIO_WINDOW >> 12) << 10) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | PTE_G);
  arch_set_page_table((u32)kroot >> 12);
}

// The initrd pages are released once the file system holds copies of its files.
void mm_release_initrd(void) {
  u32 top = boot.mem_base + boot.mem_size;
  for (u32 pa = PAGE_ROUND_UP(boot.initrd_start); pa + PAGE_SIZE <= boot.initrd_end && pa + PAGE_SIZE <= top; pa += PAGE_SIZE) {
    *(void **)pa = free_list;
    free_list = (void *)pa;
    nfree++;
  }
}

void *page_alloc(void) {
  void *p = free_list;
  if (!p) return NULL;
  free_list = *(void **)p;
  nfree--;
  *ref_of(p) = 1;
  memset(p, 0, PAGE_SIZE);
  return p;
}

// Drop one reference; the page goes back to the free list with the last one.
void page_free(void *p) {
  u16 *ref = ref_of(p);
  if (*ref > 1) {
    (*ref)--;
    return;
  }
  *ref = 0;
  *(void **)p = free_list;
  free_list = p;
  nfree++;
}

u32 pages_free(void) { return nfree; }
u32 *kernel_root(void) { return kroot; }

static void flush_if_current(struct mm *mm, u32 va) {
  if (curproc && mm == &curproc->mm) arch_flush_page(va);
}

static int is_user_slot(u32 i) { return i < (KERNEL_BASE >> 22) && i != (MMIO_WINDOW >> 22); }

int mm_create(struct mm *mm) {
  memset(mm, 0, sizeof *mm);
  mm->root = page_alloc();
  if (!mm->root) return -ENOMEM;
  for (u32 i = 0; i < 1024; i++)  // the kernel's megapages; the fresh page is zero elsewhere
    if (kroot[i]) arch_pte_set(&mm->root[i], kroot[i]);
  return 0;
}

void mm_activate(struct mm *mm) { arch_set_page_table((u32)(mm ? mm->root : kroot) >> 12); }

// The leaf PTE for va, creating the second-level table when alloc is set.
static u32 *walk(struct mm *mm, u32 va, int alloc) {
  if (!is_user_slot(va >> 22)) return NULL;  // kernel megapages are leaves, not tables
  u32 *pde = &mm->root[va >> 22];
  if (!(*pde & PTE_V)) {
    if (!alloc) return NULL;
    u32 *t = page_alloc();
    if (!t) return NULL;
    arch_pte_set(pde, (((u32)t >> 12) << 10) | PTE_V);
  }
  u32 *table = (u32 *)((*pde >> 10) << 12);
  return &table[(va >> 12) & 1023];
}

void mm_destroy(struct mm *mm) {
  if (!mm->root) return;
  mm_charge(mm, -(i32)mm->rss);
  arch_page_table_release(mm->root);
  for (u32 i = 0; i < KERNEL_BASE >> 22; i++) {
    if (!is_user_slot(i) || !(mm->root[i] & PTE_V)) continue;
    u32 *table = (u32 *)((mm->root[i] >> 10) << 12);
    for (u32 j = 0; j < 1024; j++)
      if (table[j] & PTE_V) page_free((void *)((table[j] >> 10) << 12));
    page_free(table);
  }
  page_free(mm->root);
  mm->root = NULL;
}

int mm_map_page(struct mm *mm, u32 va, void *page, u32 flags) {
  u32 *pte = walk(mm, va, 1);
  if (!pte) return -ENOMEM;
  if (!(*pte & PTE_V)) mm_charge(mm, 1);
  arch_pte_set(pte, (((u32)page >> 12) << 10) | flags | PTE_V | PTE_U | PTE_A | PTE_D);
  return 0;
}

// Fork: the child shares every user page with the parent. Writable pages become read-only
// copy-on-write in both spaces; the first store to one copies it (mm_fault).
int mm_copy(struct mm *dst, struct mm *src) {
  dst->brk_base = src->brk_base;
  dst->brk = src->brk;
  memcpy(dst->maps, src->maps, sizeof dst->maps);
  int err = 0;
  for (u32 i = 0; i < KERNEL_BASE >> 22 && !err; i++) {
    if (!is_user_slot(i) || !(src->root[i] & PTE_V)) continue;
    u32 *table = (u32 *)((src->root[i] >> 10) << 12);
    for (u32 j = 0; j < 1024; j++) {
      if (!(table[j] & PTE_V)) continue;
      u32 *pte = walk(dst, (i << 22) | (j << 12), 1);
      if (!pte) {
        err = -ENOMEM;
        break;
      }
      if (table[j] & (PTE_W | PTE_COW)) arch_pte_set(&table[j], (table[j] & ~PTE_W) | PTE_COW);
      arch_pte_set(pte, table[j]);
      (*ref_of((void *)((table[j] >> 10) << 12)))++;
      mm_charge(dst, 1);
    }
  }
  if (curproc && src == &curproc->mm) arch_flush_all();  // the parent lost write permissions
  return err;
}

int mm_unmap_range(struct mm *mm, u32 start, u32 end) {
  arch_pte_batch_begin();
  for (u32 va = start; va < end; va += PAGE_SIZE) {
    if (!(mm->root[va >> 22] & PTE_V)) {
      va = ((va >> 22) << 22) + 0x400000u - PAGE_SIZE;  // skip the empty 4 MiB slot
      continue;
    }
    u32 *pte = walk(mm, va, 0);
    if (pte && (*pte & PTE_V)) {
      page_free((void *)((*pte >> 10) << 12));
      arch_pte_set(pte, 0);
      mm_charge(mm, -1);
      flush_if_current(mm, va);
    }
  }
  arch_pte_batch_end();
  return 0;
}

// Which demand-zero region covers va, as PTE permission bits (0: none).
static u32 demand_flags(struct mm *mm, u32 va) {
  if (va >= PAGE_ROUND_DOWN(mm->brk_base) && va < PAGE_ROUND_UP(mm->brk) && mm->brk > mm->brk_base)
    return PTE_R | PTE_W;
  if (va >= USTACK_TOP - USTACK_SIZE && va < USTACK_TOP) return PTE_R | PTE_W;
  for (u32 i = 0; i < NMMAP; i++) {
    struct mmap_region *r = &mm->maps[i];
    if (r->end && va >= r->start && va < r->end) return PTE_R | PTE_W;
  }
  return 0;
}

// Resolve an access to va: map a zero page for untouched demand-zero memory, then check the
// permission. 0 on success, -EFAULT for an access the process may not make.
int mm_fault(struct mm *mm, u32 va, int write, int exec) {
  if (va >= KERNEL_BASE || va < USER_MIN) return -EFAULT;
  u32 *pte = walk(mm, va, 0);
  if (!pte || !(*pte & PTE_V)) {
    u32 flags = demand_flags(mm, va);
    if (!flags) return -EFAULT;
    if (mm->jail && !jail_mem_ok(mm->jail)) return -ENOMEM;  // rctl memoryuse
    void *page = page_alloc();
    if (!page) return -ENOMEM;
    if (mm_map_page(mm, PAGE_ROUND_DOWN(va), page, flags) < 0) {
      page_free(page);
      return -ENOMEM;
    }
    flush_if_current(mm, va);
    pte = walk(mm, va, 0);
  }
  if (!(*pte & PTE_U)) return -EFAULT;
  if (write && (*pte & PTE_COW)) {
    void *old = (void *)((*pte >> 10) << 12);
    u32 flags = (*pte & (PTE_R | PTE_X)) | PTE_W;
    if (*ref_of(old) == 1) {  // the other sharers are gone: keep the page
      arch_pte_set(pte, (*pte & ~PTE_COW) | PTE_W);
    } else {
      void *page = page_alloc();
      if (!page) return -ENOMEM;
      memcpy(page, old, PAGE_SIZE);
      page_free(old);
      arch_pte_set(pte, (((u32)page >> 12) << 10) | flags | PTE_V | PTE_U | PTE_A | PTE_D);
    }
    flush_if_current(mm, va);
  }
  if (write && !(*pte & PTE_W)) return -EFAULT;
  if (exec && !(*pte & PTE_X)) return -EFAULT;
  if (!write && !exec && !(*pte & PTE_R)) return -EFAULT;
  return 0;
}

// Kernel address of user byte va, after checking (and demand-filling) the page.
static u8 *user_ptr(struct mm *mm, u32 va, int write) {
  if (mm_fault(mm, va, write, 0) < 0) return NULL;
  u32 *pte = walk(mm, va, 0);
  return (u8 *)(((*pte >> 10) << 12) | (va & (PAGE_SIZE - 1)));
}

static int copy_user(struct mm *mm, u32 uva, void *kbuf, u32 n, int to_user) {
  u8 *k = kbuf;
  while (n > 0) {
    if (uva + n < uva) return -EFAULT;
    u8 *p = user_ptr(mm, uva, to_user);
    if (!p) return -EFAULT;
    u32 chunk = PAGE_SIZE - (uva & (PAGE_SIZE - 1));
    if (chunk > n) chunk = n;
    if (to_user)
      memcpy(p, k, chunk);
    else
      memcpy(k, p, chunk);
    k += chunk;
    uva += chunk;
    n -= chunk;
  }
  return 0;
}

int copyin(struct mm *mm, void *dst, u32 uva, u32 n) { return copy_user(mm, uva, dst, n, 0); }
int copyout(struct mm *mm, u32 uva, const void *src, u32 n) { return copy_user(mm, uva, (void *)src, n, 1); }

// Copy a NUL-terminated string of at most max bytes (including the NUL).
int copyinstr(struct mm *mm, char *dst, u32 uva, u32 max) {
  for (u32 i = 0; i < max; i++) {
    u8 *p = user_ptr(mm, uva + i, 0);
    if (!p) return -EFAULT;
    dst[i] = (char)*p;
    if (!*p) return (int)i;
  }
  return -ENAMETOOLONG;
}

i32 sys_brk(u32 addr) {
  struct mm *mm = &curproc->mm;
  if (addr < mm->brk_base || addr > USER_BRK_MAX) return (i32)mm->brk;
  if (addr < mm->brk) mm_unmap_range(mm, PAGE_ROUND_UP(addr), PAGE_ROUND_UP(mm->brk));
  mm->brk = addr;
  return (i32)mm->brk;
}

static int overlaps(struct mm *mm, u32 start, u32 end) {
  for (u32 i = 0; i < NMMAP; i++)
    if (mm->maps[i].end && start < mm->maps[i].end && end > mm->maps[i].start) return 1;
  return 0;
}

static struct mmap_region *free_slot(struct mm *mm) {
  for (u32 i = 0; i < NMMAP; i++)
    if (!mm->maps[i].end) return &mm->maps[i];
  return NULL;
}

i32 sys_munmap(u32 addr, u32 len) {
  struct mm *mm = &curproc->mm;
  if ((addr & (PAGE_SIZE - 1)) || len == 0 || addr < MMAP_BASE || addr + len > MMAP_TOP || addr + len < addr)
    return -EINVAL;
  u32 end = PAGE_ROUND_UP(addr + len);
  for (u32 i = 0; i < NMMAP; i++) {
    struct mmap_region *r = &mm->maps[i];
    if (!r->end || addr >= r->end || end <= r->start) continue;
    if (addr > r->start && end < r->end) {  // a hole in the middle: split
      struct mmap_region *tail = free_slot(mm);
      if (!tail) return -ENOMEM;
      tail->start = end;
      tail->end = r->end;
      r->end = addr;
    } else if (addr > r->start) {
      r->end = addr;
    } else if (end < r->end) {
      r->start = end;
    } else {
      r->start = r->end = 0;
    }
  }
  mm_unmap_range(mm, addr, end);
  return 0;
}

i32 sys_mmap(u32 addr, u32 len, u32 prot, u32 flags, i32 fd, u32 off) {
  (void)fd;
  (void)off;
  (void)prot;
  struct mm *mm = &curproc->mm;
  if (!(flags & MAP_ANONYMOUS)) return -EINVAL;  // only anonymous memory is supported
  if (!(flags & (MAP_PRIVATE | MAP_SHARED)) || len == 0 || len > MMAP_TOP - MMAP_BASE) return -EINVAL;
  len = PAGE_ROUND_UP(len);
  u32 start;
  if (flags & MAP_FIXED) {
    if ((addr & (PAGE_SIZE - 1)) || addr < MMAP_BASE || addr + len > MMAP_TOP) return -EINVAL;
    sys_munmap(addr, len);
    start = addr;
  } else {
    start = MMAP_BASE;
    while (overlaps(mm, start, start + len)) {
      u32 next = MMAP_TOP;
      for (u32 i = 0; i < NMMAP; i++)  // move past the overlapping region that ends first
        if (mm->maps[i].end && start < mm->maps[i].end && start + len > mm->maps[i].start &&
            mm->maps[i].end < next)
          next = mm->maps[i].end;
      start = next;
      if (start + len > MMAP_TOP || start + len < start) return -ENOMEM;
    }
  }
  struct mmap_region *r = free_slot(mm);
  if (!r) return -ENOMEM;
  r->start = start;
  r->end = start + len;
  return (i32)start;
}

// A long-running compute workload for the interpreter benchmark: integer hashing, table updates,
// bitwise CRC-32, insertion sort and a small matrix product, mixing ALU, multiply, loads, stores,
// branches and calls. Prints a checksum on the UART and powers off through the finisher.
#include <stdint.h>

#define UART ((volatile uint8_t *)0x10000000)
#define FINISHER ((volatile uint32_t *)0x100000)

#ifndef ROUNDS
#define ROUNDS 48000
#endif

static uint32_t table[1024];
static uint32_t sortbuf[64];
static int32_t ma[8][8], mb[8][8], mc[8][8];

static void putc_(char c) { *UART = (uint8_t)c; }

static void puthex(uint32_t v) {
  for (int i = 28; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 15]);
}

static void puts_(const char *s) {
  while (*s) putc_(*s++);
}

static uint32_t crc32(const uint8_t *p, int n, uint32_t crc) {
  crc = ~crc;
  for (int i = 0; i < n; i++) {
    crc ^= p[i];
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
  }
  return ~crc;
}

static void isort(uint32_t *a, int n) {
  for (int i = 1; i < n; i++) {
    uint32_t v = a[i];
    int j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

static void matmul(void) {
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 8; j++) {
      int32_t s = 0;
      for (int k = 0; k < 8; k++) s += ma[i][k] * mb[k][j];
      mc[i][j] = s;
    }
}

int main(void) {
  uint32_t x = 2463534242u, acc = 0;
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 8; j++) {
      ma[i][j] = i * 8 + j - 20;
      mb[i][j] = (i ^ j) * 3 - 7;
    }
  for (int r = 0; r < ROUNDS; r++) {
    for (int i = 0; i < 1000; i++) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      table[x & 1023] += x;
      acc += table[(x >> 10) & 1023];
    }
    acc = crc32((const uint8_t *)table + (r & 31) * 64, 64, acc);
    for (int i = 0; i < 64; i++) sortbuf[i] = table[(i * 37 + r) & 1023] ^ acc;
    isort(sortbuf, 64);
    acc += sortbuf[r & 63];
    ma[r & 7][(r >> 3) & 7] ^= (int32_t)acc;
    matmul();
    acc += (uint32_t)mc[r & 7][(r + 3) & 7] / ((r & 15) + 1);
  }
  puts_("compute checksum ");
  puthex(acc);
  putc_('\n');
  *FINISHER = 0x5555;
  for (;;) {
  }
}

#ifdef SV32
// Identity map with 4 MiB superpages: RAM (RWX, S-only, A and D set) and the UART and finisher.
static uint32_t root[1024] __attribute__((aligned(4096)));

uint32_t setup_paging(void) {
  const uint32_t V = 1, R = 2, W = 4, X = 8, A = 64, D = 128;
  for (uint32_t mb4 = 0; mb4 < 32; mb4++) {
    uint32_t pa = 0x80000000u + (mb4 << 22);
    root[pa >> 22] = ((pa >> 12) << 10) | V | R | W | X | A | D;
  }
  root[0x10000000u >> 22] = ((0x10000000u >> 12) << 10) | V | R | W | A | D;
  root[0] = V | R | W | A | D;
  return 0x80000000u | ((uint32_t)root >> 12);
}
#endif

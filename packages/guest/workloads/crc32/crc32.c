/* CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) of generated data, table-driven:
 * byte loads, table lookups, shifts and xors in a tight loop. Checks the standard check value
 * of "123456789" (0xCBF43926) first. */
#include "../common/workload.h"

static uint32_t table[256];

static void make_table(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
}

static uint32_t crc32_update(uint32_t crc, const uint8_t *data, size_t n) {
  crc = ~crc;
  for (size_t i = 0; i < n; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

static int workload(enum size size) {
  make_table();
  const char *check = "123456789";
  printf("crc32(\"123456789\") = %08x\n", crc32_update(0, (const uint8_t *)check, strlen(check)));

  size_t block = BY_SIZE(size, 32, 64) * 1024;
  uint32_t rounds = BY_SIZE(size, 4, 736);
  uint8_t *data = malloc(block);
  if (data == NULL) return 1;
  uint32_t seed = 0x12345678u;
  uint32_t crc = 0, combined = 0;
  for (uint32_t r = 0; r < rounds; r++) {
    for (size_t i = 0; i < block; i += 4) {
      uint32_t v = xorshift32(&seed);
      memcpy(data + i, &v, 4);
    }
    crc = crc32_update(crc, data, block);
    combined = combined * 31u + crc;
    if (r % (rounds / 4) == 0) printf("round %u: crc %08x\n", r, crc);
  }
  printf("bytes %u crc %08x combined %08x\n", (unsigned)(rounds * block), crc, combined);
  free(data);
  return 0;
}

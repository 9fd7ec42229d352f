/* LZ77-style compression and decompression round trip: a hash-chain matcher over a 4 KiB
 * window emits literals and (distance, length) pairs into a byte stream; decompression must
 * give the input back. Byte loads and stores, hashing, data-dependent branches and copies.
 *
 * Stream format: a flag byte per 8 items (bit set = match); a literal is one byte, a match is
 * two bytes: 12-bit distance - 1 and 4-bit length - MIN_MATCH. */
#include "../common/workload.h"

#define WINDOW 4096u
#define MIN_MATCH 3u
#define MAX_MATCH (MIN_MATCH + 15u)
#define HASH_BITS 12u
#define MAX_CHAIN 16u

static uint32_t hash3(const uint8_t *p) {
  return ((uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]) * 2654435761u >> (32 - HASH_BITS);
}

/* Returns the compressed length; out must hold n + n / 8 + 1 bytes. */
static size_t compress(const uint8_t *in, size_t n, uint8_t *out, int32_t *head, int32_t *prev) {
  for (size_t i = 0; i < (1u << HASH_BITS); i++) head[i] = -1;
  size_t o = 0, flag_at = 0;
  unsigned item = 8;
  size_t i = 0;
  while (i < n) {
    if (item == 8) {
      flag_at = o++;
      out[flag_at] = 0;
      item = 0;
    }
    size_t best_len = 0, best_dist = 0;
    if (i + MIN_MATCH <= n) {
      uint32_t h = hash3(in + i);
      int32_t candidate = head[h];
      for (unsigned chain = 0; candidate >= 0 && chain < MAX_CHAIN; chain++) {
        size_t dist = i - (size_t)candidate;
        if (dist > WINDOW) break;
        size_t len = 0;
        while (len < MAX_MATCH && i + len < n && in[(size_t)candidate + len] == in[i + len]) len++;
        if (len > best_len) {
          best_len = len;
          best_dist = dist;
          if (len == MAX_MATCH) break;
        }
        candidate = prev[candidate];
      }
    }
    size_t advance;
    if (best_len >= MIN_MATCH) {
      out[flag_at] |= (uint8_t)(1u << item);
      uint32_t code = (uint32_t)(best_dist - 1) << 4 | (uint32_t)(best_len - MIN_MATCH);
      out[o++] = (uint8_t)(code >> 8);
      out[o++] = (uint8_t)code;
      advance = best_len;
    } else {
      out[o++] = in[i];
      advance = 1;
    }
    /* Insert every position we pass into the hash chains. */
    for (size_t k = 0; k < advance; k++, i++) {
      if (i + MIN_MATCH <= n) {
        uint32_t h = hash3(in + i);
        prev[i] = head[h];
        head[h] = (int32_t)i;
      }
    }
    item++;
  }
  return o;
}

/* Returns the decompressed length, or (size_t)-1 on a malformed stream. */
static size_t decompress(const uint8_t *in, size_t n, uint8_t *out, size_t capacity) {
  size_t i = 0, o = 0;
  while (i < n) {
    uint8_t flags = in[i++];
    for (unsigned item = 0; item < 8 && i < n; item++) {
      if (flags & (1u << item)) {
        if (i + 2 > n) return (size_t)-1;
        uint32_t code = (uint32_t)in[i] << 8 | in[i + 1];
        i += 2;
        size_t dist = (code >> 4) + 1, len = (code & 15) + MIN_MATCH;
        if (dist > o || o + len > capacity) return (size_t)-1;
        for (size_t k = 0; k < len; k++, o++) out[o] = out[o - dist];
      } else {
        if (o >= capacity) return (size_t)-1;
        out[o++] = in[i++];
      }
    }
  }
  return o;
}

/* Text-like input: words from a small vocabulary with random separators, so matches exist. */
static void generate(uint8_t *buf, size_t n, uint32_t *seed) {
  static const char *words[] = {"virtual", "machine", "monitor", "trap", "emulate", "page", "table",
                                "shadow", "guest", "host", "kernel", "interrupt", "register", "the",
                                "a", "of", "and", "hypervisor", "translate", "block"};
  size_t o = 0;
  while (o < n) {
    uint32_t r = xorshift32(seed);
    const char *w = words[r % 20];
    while (*w && o < n) buf[o++] = (uint8_t)*w++;
    if (o < n) buf[o++] = (r >> 8) % 7 == 0 ? '\n' : ' ';
    if ((r >> 16) % 11 == 0 && o < n) buf[o++] = (uint8_t)('0' + (r >> 20) % 10);
  }
}

static uint32_t fnv1a(const uint8_t *p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

static int workload(enum size size) {
  size_t n = BY_SIZE(size, 8, 64) * 1024;
  uint32_t rounds = BY_SIZE(size, 2, 90);
  uint8_t *input = malloc(n), *packed = malloc(n + n / 8 + 1), *output = malloc(n);
  int32_t *head = malloc((1u << HASH_BITS) * sizeof *head), *prev = malloc(n * sizeof *prev);
  if (!input || !packed || !output || !head || !prev) return 1;
  uint32_t seed = 0x0badcafeu;
  uint64_t total_in = 0, total_out = 0;
  uint32_t combined = 0;
  for (uint32_t r = 0; r < rounds; r++) {
    generate(input, n, &seed);
    size_t packed_len = compress(input, n, packed, head, prev);
    size_t unpacked = decompress(packed, packed_len, output, n);
    if (unpacked != n || memcmp(input, output, n) != 0) {
      printf("round %u: round trip failed (%u bytes back)\n", r, (unsigned)unpacked);
      return 1;
    }
    total_in += n;
    total_out += packed_len;
    combined = combined * 31u + fnv1a(packed, packed_len);
    if (r % (rounds / 2) == 0) {
      printf("round %u: %u -> %u bytes, packed fnv %08x\n", r, (unsigned)n, (unsigned)packed_len,
             fnv1a(packed, packed_len));
    }
  }
  printf("%llu -> %llu bytes (%llu.%02llu%%), combined %08x\n", (unsigned long long)total_in,
         (unsigned long long)total_out, (unsigned long long)(total_out * 100 / total_in),
         (unsigned long long)(total_out * 10000 / total_in % 100), combined);
  free(input);
  free(packed);
  free(output);
  free(head);
  free(prev);
  return 0;
}

/* A hash table of generated words: chained buckets of malloc'd nodes keyed by string, counting
 * occurrences, growing by rehashing, then lookups of present and absent words and deletion of
 * half the keys. Exercises malloc/free, string hashing and comparison, pointer-linked lists. */
#include "../common/workload.h"

struct node {
  struct node *next;
  uint32_t hash;
  uint32_t count;
  char key[]; /* NUL-terminated */
};

struct table {
  struct node **buckets;
  uint32_t mask; /* bucket count - 1 */
  uint32_t items;
};

static uint32_t hash_string(const char *s) {
  uint32_t h = 2166136261u; /* FNV-1a */
  while (*s) h = (h ^ (uint8_t)*s++) * 16777619u;
  return h;
}

static int table_init(struct table *t, uint32_t buckets) {
  t->buckets = calloc(buckets, sizeof *t->buckets);
  t->mask = buckets - 1;
  t->items = 0;
  return t->buckets ? 0 : -1;
}

static int table_grow(struct table *t) {
  uint32_t size = (t->mask + 1) * 2;
  struct node **fresh = calloc(size, sizeof *fresh);
  if (fresh == NULL) return -1;
  for (uint32_t i = 0; i <= t->mask; i++) {
    struct node *n = t->buckets[i];
    while (n) {
      struct node *next = n->next;
      n->next = fresh[n->hash & (size - 1)];
      fresh[n->hash & (size - 1)] = n;
      n = next;
    }
  }
  free(t->buckets);
  t->buckets = fresh;
  t->mask = size - 1;
  return 0;
}

static struct node *table_find(const struct table *t, const char *key, uint32_t h) {
  for (struct node *n = t->buckets[h & t->mask]; n; n = n->next) {
    if (n->hash == h && strcmp(n->key, key) == 0) return n;
  }
  return NULL;
}

static int table_add(struct table *t, const char *key) {
  uint32_t h = hash_string(key);
  struct node *n = table_find(t, key, h);
  if (n) {
    n->count++;
    return 0;
  }
  size_t len = strlen(key);
  n = malloc(sizeof *n + len + 1);
  if (n == NULL) return -1;
  memcpy(n->key, key, len + 1);
  n->hash = h;
  n->count = 1;
  n->next = t->buckets[h & t->mask];
  t->buckets[h & t->mask] = n;
  if (++t->items > t->mask + 1 && table_grow(t) != 0) return -1;
  return 0;
}

static int table_remove(struct table *t, const char *key) {
  uint32_t h = hash_string(key);
  for (struct node **link = &t->buckets[h & t->mask]; *link; link = &(*link)->next) {
    struct node *n = *link;
    if (n->hash == h && strcmp(n->key, key) == 0) {
      *link = n->next;
      free(n);
      t->items--;
      return 1;
    }
  }
  return 0;
}

static void table_free(struct table *t) {
  for (uint32_t i = 0; i <= t->mask; i++) {
    struct node *n = t->buckets[i];
    while (n) {
      struct node *next = n->next;
      free(n);
      n = next;
    }
  }
  free(t->buckets);
}

/* Words of 2-9 letters from a skewed alphabet, so some repeat often and most rarely. */
static void make_word(char *out, uint32_t *seed, uint32_t vocabulary) {
  uint32_t id = xorshift32(seed) % vocabulary;
  if (id & 1) id = id % (vocabulary / 16 + 1); /* half of the draws hit a small core */
  uint32_t x = id * 2654435761u + 12345u;
  unsigned len = 2 + id % 8;
  for (unsigned i = 0; i < len; i++) {
    out[i] = (char)('a' + x % 26);
    x = x * 1103515245u + 12345u;
    x ^= x >> 15;
  }
  out[len] = '\0';
}

static int workload(enum size size) {
  uint32_t words = BY_SIZE(size, 10000, 3200000);
  uint32_t vocabulary = BY_SIZE(size, 2500, 300000);
  struct table t;
  if (table_init(&t, 64) != 0) return 1;
  uint32_t seed = 0xfeedf00du;
  char word[16];
  for (uint32_t i = 0; i < words; i++) {
    make_word(word, &seed, vocabulary);
    if (table_add(&t, word) != 0) return 1;
  }
  uint32_t max_count = 0, sum = 0, checksum = 0, longest_chain = 0;
  char most[16] = "";
  for (uint32_t b = 0; b <= t.mask; b++) {
    uint32_t chain = 0;
    for (struct node *n = t.buckets[b]; n; n = n->next, chain++) {
      sum += n->count;
      checksum += n->hash * n->count;
      if (n->count > max_count || (n->count == max_count && strcmp(n->key, most) < 0)) {
        max_count = n->count;
        strcpy(most, n->key);
      }
    }
    if (chain > longest_chain) longest_chain = chain;
  }
  printf("%u words, %u distinct, %u buckets, longest chain %u\n", sum, t.items, t.mask + 1, longest_chain);
  printf("most frequent \"%s\" x %u, checksum %08x\n", most, max_count, checksum);
  uint32_t found = 0, removed = 0;
  seed = 0x600dd00du;
  for (uint32_t i = 0; i < words / 2; i++) {
    make_word(word, &seed, vocabulary * 2);
    if (table_find(&t, word, hash_string(word))) found++;
    if (i % 2 == 0) removed += (uint32_t)table_remove(&t, word);
  }
  printf("lookups %u: found %u, removed %u, left %u\n", words / 2, found, removed, t.items);
  table_free(&t);
  return 0;
}

/* Pointer chasing over a linked structure: nodes in one array linked in a random cyclic order
 * (Sattolo's shuffle gives a single cycle), walked many times — every load depends on the one
 * before, as in a cache- and TLB-latency benchmark. Also walks a binary search tree built from
 * the same nodes. */
#include "../common/workload.h"

struct node {
  struct node *next;
  struct node *left, *right; /* binary search tree by key */
  uint32_t key;
  uint32_t value;
};

static struct node *tree_insert(struct node *root, struct node *n) {
  if (root == NULL) return n;
  struct node *at = root;
  for (;;) {
    struct node **slot = n->key < at->key ? &at->left : &at->right;
    if (*slot == NULL) {
      *slot = n;
      return root;
    }
    at = *slot;
  }
}

static uint32_t tree_depth_sum(const struct node *root, uint32_t depth) {
  /* Iterative over left spines, recursive over right children: depth stays small (random keys). */
  uint32_t sum = 0;
  while (root) {
    sum += depth * (root->value & 0xff);
    sum += tree_depth_sum(root->right, depth + 1);
    root = root->left;
    depth++;
  }
  return sum;
}

static int workload(enum size size) {
  uint32_t count = BY_SIZE(size, 4096, 65536);
  uint32_t laps = BY_SIZE(size, 40, 2000);
  struct node *nodes = malloc(count * sizeof *nodes);
  uint32_t *order = malloc(count * sizeof *order);
  if (nodes == NULL || order == NULL) return 1;
  uint32_t seed = 0x13579bdfu;
  for (uint32_t i = 0; i < count; i++) order[i] = i;
  for (uint32_t i = count - 1; i > 0; i--) {
    uint32_t j = xorshift32(&seed) % i; /* Sattolo: j < i, so the permutation is one cycle */
    uint32_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  struct node *root = NULL;
  for (uint32_t i = 0; i < count; i++) {
    nodes[i].next = &nodes[order[i]];
    nodes[i].left = nodes[i].right = NULL;
    nodes[i].key = xorshift32(&seed);
    nodes[i].value = i;
    root = tree_insert(root, &nodes[i]);
  }
  uint32_t sum = 0;
  uint32_t steps = 0;
  const struct node *p = &nodes[0];
  for (uint32_t lap = 0; lap < laps; lap++) {
    for (uint32_t i = 0; i < count; i++) {
      sum = sum * 31u + p->value;
      p = p->next;
      steps++;
    }
    if (p != &nodes[0]) {
      printf("lap %u did not return to the start\n", lap);
      return 1;
    }
    if (lap % (laps / 4) == 0) printf("lap %u: sum %08x\n", lap, sum);
  }
  printf("%u nodes, %u steps, sum %08x, tree depth-weighted sum %08x\n", count, steps, sum, tree_depth_sum(root, 0));
  free(nodes);
  free(order);
  return 0;
}

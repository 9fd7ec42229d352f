/* A small bytecode interpreter: a stack machine with locals, arithmetic, comparisons, jumps,
 * calls and returns, running a program that computes a Collatz-steps sum and a recursive
 * Fibonacci. A dispatch loop with an indirect branch per bytecode, like a language VM. */
#include "../common/workload.h"

enum op {
  OP_PUSH,  /* imm: push the next word */
  OP_LOAD,  /* imm: push local[imm] */
  OP_STORE, /* imm: pop into local[imm] */
  OP_ADD,
  OP_SUB,
  OP_MUL,
  OP_AND,
  OP_SHR1,
  OP_LT, /* pop b, a; push a < b */
  OP_EQ,
  OP_JMP,  /* imm: absolute target */
  OP_JZ,   /* imm: pop; jump if zero */
  OP_CALL, /* imm: target; the callee takes one argument as local[0] */
  OP_RET,  /* return top of stack */
  OP_DUP,
  OP_POP,
  OP_HALT,
};

#define LOCALS 4
#define STACK 256
#define FRAMES 64

struct frame {
  uint32_t return_pc;
  uint32_t base; /* stack height at call */
  int32_t locals[LOCALS];
};

/* Runs code from pc 0 with arg as local[0]; returns the value left by HALT, counts steps. */
static int32_t run(const int32_t *code, int32_t arg, uint64_t *steps) {
  int32_t stack[STACK];
  struct frame frames[FRAMES];
  uint32_t sp = 0, fp = 0, pc = 0;
  memset(frames, 0, sizeof frames);
  frames[0].locals[0] = arg;
  uint64_t executed = 0;
  for (;;) {
    executed++;
    int32_t op = code[pc++];
    int32_t a, b;
    switch (op) {
    case OP_PUSH: stack[sp++] = code[pc++]; break;
    case OP_LOAD: stack[sp++] = frames[fp].locals[code[pc++]]; break;
    case OP_STORE: frames[fp].locals[code[pc++]] = stack[--sp]; break;
    case OP_ADD: b = stack[--sp]; a = stack[--sp]; stack[sp++] = (int32_t)((uint32_t)a + (uint32_t)b); break;
    case OP_SUB: b = stack[--sp]; a = stack[--sp]; stack[sp++] = (int32_t)((uint32_t)a - (uint32_t)b); break;
    case OP_MUL: b = stack[--sp]; a = stack[--sp]; stack[sp++] = (int32_t)((uint32_t)a * (uint32_t)b); break;
    case OP_AND: b = stack[--sp]; a = stack[--sp]; stack[sp++] = a & b; break;
    case OP_SHR1: a = stack[--sp]; stack[sp++] = (int32_t)((uint32_t)a >> 1); break;
    case OP_LT: b = stack[--sp]; a = stack[--sp]; stack[sp++] = a < b; break;
    case OP_EQ: b = stack[--sp]; a = stack[--sp]; stack[sp++] = a == b; break;
    case OP_JMP: pc = (uint32_t)code[pc]; break;
    case OP_JZ: a = stack[--sp]; pc = a == 0 ? (uint32_t)code[pc] : pc + 1; break;
    case OP_CALL:
      if (fp + 1 == FRAMES) return -1;
      fp++;
      frames[fp].return_pc = pc + 1;
      frames[fp].locals[0] = stack[--sp];
      frames[fp].base = sp;
      pc = (uint32_t)code[pc];
      break;
    case OP_RET:
      a = stack[--sp];
      sp = frames[fp].base;
      pc = frames[fp].return_pc;
      fp--;
      stack[sp++] = a;
      break;
    case OP_DUP: a = stack[sp - 1]; stack[sp++] = a; break;
    case OP_POP: sp--; break;
    case OP_HALT: *steps += executed; return stack[sp - 1];
    default: return -2;
    }
    if (sp + 2 >= STACK) return -3;
  }
}

/* The program, main(n) = sum of collatz_steps(i) for i in [1, n) + fib((n & 7) + 5), is
 * assembled at start so jump targets are computed, not hand-counted. */
struct assembler {
  int32_t code[512];
  uint32_t size;
};

static void emit(struct assembler *as, int32_t word) { as->code[as->size++] = word; }
static uint32_t here(const struct assembler *as) { return as->size; }
static uint32_t emit_jump(struct assembler *as, int32_t op) {
  emit(as, op);
  emit(as, 0);
  return as->size - 1;
}
static void patch(struct assembler *as, uint32_t at, uint32_t target) { as->code[at] = (int32_t)target; }

static void assemble(struct assembler *as) {
  as->size = 0;
  /* main: local0 = n, local1 = i, local2 = sum */
  emit(as, OP_PUSH), emit(as, 1), emit(as, OP_STORE), emit(as, 1);
  emit(as, OP_PUSH), emit(as, 0), emit(as, OP_STORE), emit(as, 2);
  uint32_t loop = here(as);
  emit(as, OP_LOAD), emit(as, 1), emit(as, OP_LOAD), emit(as, 0), emit(as, OP_LT);
  uint32_t to_done = emit_jump(as, OP_JZ);
  emit(as, OP_LOAD), emit(as, 1);
  uint32_t call_collatz = emit_jump(as, OP_CALL);
  emit(as, OP_LOAD), emit(as, 2), emit(as, OP_ADD), emit(as, OP_STORE), emit(as, 2);
  emit(as, OP_LOAD), emit(as, 1), emit(as, OP_PUSH), emit(as, 1), emit(as, OP_ADD), emit(as, OP_STORE), emit(as, 1);
  patch(as, emit_jump(as, OP_JMP), loop);
  patch(as, to_done, here(as));
  /* done: push sum + fib((n & 7) + 5) */
  emit(as, OP_LOAD), emit(as, 2);
  emit(as, OP_LOAD), emit(as, 0), emit(as, OP_PUSH), emit(as, 7), emit(as, OP_AND);
  emit(as, OP_PUSH), emit(as, 5), emit(as, OP_ADD);
  uint32_t call_fib = emit_jump(as, OP_CALL);
  emit(as, OP_ADD), emit(as, OP_HALT);

  /* collatz(x): steps = 0; while x != 1: x = x even ? x / 2 : 3x + 1; steps++ */
  uint32_t collatz = here(as);
  patch(as, call_collatz, collatz);
  emit(as, OP_PUSH), emit(as, 0), emit(as, OP_STORE), emit(as, 1);
  uint32_t c_loop = here(as);
  emit(as, OP_LOAD), emit(as, 0), emit(as, OP_PUSH), emit(as, 1), emit(as, OP_EQ);
  uint32_t c_not_done = emit_jump(as, OP_JZ);
  emit(as, OP_LOAD), emit(as, 1), emit(as, OP_RET);
  patch(as, c_not_done, here(as));
  emit(as, OP_LOAD), emit(as, 0), emit(as, OP_PUSH), emit(as, 1), emit(as, OP_AND);
  uint32_t c_even = emit_jump(as, OP_JZ);
  emit(as, OP_LOAD), emit(as, 0), emit(as, OP_PUSH), emit(as, 3), emit(as, OP_MUL);
  emit(as, OP_PUSH), emit(as, 1), emit(as, OP_ADD), emit(as, OP_STORE), emit(as, 0);
  uint32_t c_next = emit_jump(as, OP_JMP);
  patch(as, c_even, here(as));
  emit(as, OP_LOAD), emit(as, 0), emit(as, OP_SHR1), emit(as, OP_STORE), emit(as, 0);
  patch(as, c_next, here(as));
  emit(as, OP_LOAD), emit(as, 1), emit(as, OP_PUSH), emit(as, 1), emit(as, OP_ADD), emit(as, OP_STORE), emit(as, 1);
  patch(as, emit_jump(as, OP_JMP), c_loop);

  /* fib(x): x < 2 ? x : fib(x - 1) + fib(x - 2) */
  uint32_t fib = here(as);
  patch(as, call_fib, fib);
  emit(as, OP_LOAD), emit(as, 0), emit(as, OP_PUSH), emit(as, 2), emit(as, OP_LT);
  uint32_t f_big = emit_jump(as, OP_JZ);
  emit(as, OP_LOAD), emit(as, 0), emit(as, OP_RET);
  patch(as, f_big, here(as));
  emit(as, OP_LOAD), emit(as, 0), emit(as, OP_PUSH), emit(as, 1), emit(as, OP_SUB);
  patch(as, emit_jump(as, OP_CALL), fib);
  emit(as, OP_LOAD), emit(as, 0), emit(as, OP_PUSH), emit(as, 2), emit(as, OP_SUB);
  patch(as, emit_jump(as, OP_CALL), fib);
  emit(as, OP_ADD), emit(as, OP_RET);
}

static int workload(enum size size) {
  static struct assembler as;
  assemble(&as);
  int32_t first = BY_SIZE(size, 40, 4000);
  int32_t stride = BY_SIZE(size, 20, 1000);
  uint32_t runs = BY_SIZE(size, 3, 4);
  uint64_t steps = 0;
  uint32_t combined = 0;
  for (uint32_t r = 0; r < runs; r++) {
    int32_t n = first + (int32_t)r * stride;
    int32_t result = run(as.code, n, &steps);
    printf("main(%d) = %d\n", n, result);
    combined = combined * 31u + (uint32_t)result;
  }
  printf("%u words of bytecode, %llu steps, combined %08x\n", as.size, (unsigned long long)steps, combined);
  return 0;
}

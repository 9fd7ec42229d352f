// Freestanding helpers: memory and string functions, 64-bit division, kprintf, panic.
#include <stdarg.h>

#include "kernel.h"

void *memset(void *d, int c, usize n) {
  u8 *p = d;
  if ((((u32)p | n) & 3) == 0) {
    u32 w = (u8)c * 0x01010101u;
    for (usize i = 0; i < n; i += 4) *(u32 *)(p + i) = w;
    return d;
  }
  for (usize i = 0; i < n; i++) p[i] = (u8)c;
  return d;
}

void *memcpy(void *d, const void *s, usize n) {
  u8 *dp = d;
  const u8 *sp = s;
  if ((((u32)dp | (u32)sp | n) & 3) == 0) {
    for (usize i = 0; i < n; i += 4) *(u32 *)(dp + i) = *(const u32 *)(sp + i);
    return d;
  }
  for (usize i = 0; i < n; i++) dp[i] = sp[i];
  return d;
}

void *memmove(void *d, const void *s, usize n) {
  u8 *dp = d;
  const u8 *sp = s;
  if (dp <= sp || dp >= sp + n) return memcpy(d, s, n);
  while (n-- > 0) dp[n] = sp[n];
  return d;
}

int memcmp(const void *a, const void *b, usize n) {
  const u8 *x = a, *y = b;
  for (usize i = 0; i < n; i++)
    if (x[i] != y[i]) return x[i] - y[i];
  return 0;
}

usize strlen(const char *s) {
  usize n = 0;
  while (s[n]) n++;
  return n;
}

int strcmp(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return (u8)*a - (u8)*b;
}

int strncmp(const char *a, const char *b, usize n) {
  for (usize i = 0; i < n; i++) {
    if (a[i] != b[i] || !a[i]) return (u8)a[i] - (u8)b[i];
  }
  return 0;
}

char *strncpy_z(char *d, const char *s, usize n) {
  usize i = 0;
  for (; i + 1 < n && s[i]; i++) d[i] = s[i];
  d[i] = 0;
  return d;
}

// RV32IM has no 64-bit divide; clang calls these libgcc helpers.
u64 udiv64(u64 n, u64 d) {
  if (d == 0) return 0;
  u64 q = 0, r = 0;
  for (int i = 63; i >= 0; i--) {
    r = (r << 1) | ((n >> i) & 1);
    if (r >= d) {
      r -= d;
      q |= 1ull << i;
    }
  }
  return q;
}
u64 __udivdi3(u64 n, u64 d) { return udiv64(n, d); }
u64 __umoddi3(u64 n, u64 d) { return n - udiv64(n, d) * d; }

struct outbuf {
  char b[256];
  u32 n;
};

static void out(struct outbuf *o, char c) {
  if (o->n == sizeof o->b) {
    arch_console_write(o->b, o->n);
    o->n = 0;
  }
  o->b[o->n++] = c;
}

static void out_num(struct outbuf *o, u32 v, u32 base, int width, char pad, int neg) {
  char tmp[12];
  int n = 0;
  do {
    tmp[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  if (neg) tmp[n++] = '-';
  while (width-- > n) out(o, pad);
  while (n) out(o, tmp[--n]);
}

static void vkprintf(const char *fmt, va_list ap) {
  struct outbuf o;
  o.n = 0;
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      out(&o, *fmt);
      continue;
    }
    fmt++;
    char pad = ' ';
    int width = 0;
    if (*fmt == '0') pad = '0', fmt++;
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    switch (*fmt) {
      case 'd': {
        i32 v = va_arg(ap, i32);
        out_num(&o, v < 0 ? (u32)-v : (u32)v, 10, width, pad, v < 0);
        break;
      }
      case 'u': out_num(&o, va_arg(ap, u32), 10, width, pad, 0); break;
      case 'x': out_num(&o, va_arg(ap, u32), 16, width, pad, 0); break;
      case 'p': out_num(&o, va_arg(ap, u32), 16, 8, '0', 0); break;
      case 'c': out(&o, (char)va_arg(ap, int)); break;
      case 's': {
        const char *s = va_arg(ap, const char *);
        if (!s) s = "(null)";
        int len = (int)strlen(s);
        while (width-- > len) out(&o, ' ');
        while (*s) out(&o, *s++);
        break;
      }
      case '%': out(&o, '%'); break;
      default: out(&o, '%'); out(&o, *fmt); break;
    }
  }
  arch_console_write(o.b, o.n);
}

void kprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vkprintf(fmt, ap);
  va_end(ap);
}

void panic(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  kprintf("[kernel] panic: ");
  vkprintf(fmt, ap);
  kprintf("\n");
  va_end(ap);
  arch_poweroff(255);
}

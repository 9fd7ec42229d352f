/* printf family: one formatter (C11 7.21.6.1) writing through a sink, used by printf (buffered
 * standard output), dprintf, and the snprintf family (a bounded buffer).
 * Supported: flags - 0 space + #, width and precision (also *), lengths hh h l ll z j t,
 * conversions d i u x X o c s p %. Floating point is not supported (the guests do not use it). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sink {
  void (*put)(struct sink *sink, const char *data, size_t n);
  size_t count; /* characters the format produced, written or not */
};

enum {
  F_LEFT = 1,
  F_ZERO = 2,
  F_SPACE = 4,
  F_PLUS = 8,
  F_ALT = 16,
};

static void emit(struct sink *sink, const char *data, size_t n) {
  if (n == 0) return;
  sink->put(sink, data, n);
  sink->count += n;
}

static void pad(struct sink *sink, char c, int n) {
  char chunk[16];
  for (int i = 0; i < 16; i++) chunk[i] = c;
  while (n > 0) {
    int step = n > 16 ? 16 : n;
    emit(sink, chunk, (size_t)step);
    n -= step;
  }
}

/* Formats one integer conversion: sign/prefix, zero-extension to the precision, padding. */
static void format_integer(struct sink *sink, uintmax_t value, int negative, unsigned base, int upper, int flags,
                           int width, int precision, char conversion) {
  char digits[32];
  int len = 0;
  const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  while (value != 0) {
    digits[len++] = set[value % base];
    value /= base;
  }
  /* 7.21.6.1p8: precision is the minimum number of digits; precision 0 with value 0 prints none. */
  int zeros = precision > len ? precision - len : 0;
  if (precision < 0 && len == 0) zeros = 1;
  char prefix[2];
  int prefix_len = 0;
  if (conversion == 'd' || conversion == 'i') {
    if (negative) prefix[prefix_len++] = '-';
    else if (flags & F_PLUS) prefix[prefix_len++] = '+';
    else if (flags & F_SPACE) prefix[prefix_len++] = ' ';
  } else if ((flags & F_ALT) && base == 8) {
    /* '#' with o: the first digit must be zero. */
    if (zeros == 0 && (len == 0 || digits[len - 1] != '0')) zeros = 1;
  } else if (((flags & F_ALT) && base == 16 && len > 0) || conversion == 'p') {
    prefix[prefix_len++] = '0';
    prefix[prefix_len++] = upper ? 'X' : 'x';
  }
  int body = prefix_len + zeros + len;
  int fill = width > body ? width - body : 0;
  /* '0' is ignored with '-' and, for integers, when a precision is given. */
  int zero_fill = (flags & F_ZERO) && !(flags & F_LEFT) && precision < 0;
  if (!(flags & F_LEFT) && !zero_fill) pad(sink, ' ', fill);
  emit(sink, prefix, (size_t)prefix_len);
  if (zero_fill) pad(sink, '0', fill);
  pad(sink, '0', zeros);
  char out[32];
  for (int i = 0; i < len; i++) out[i] = digits[len - 1 - i];
  emit(sink, out, (size_t)len);
  if (flags & F_LEFT) pad(sink, ' ', fill);
}

enum length { L_NONE, L_HH, L_H, L_L, L_LL, L_Z, L_J, L_T };

static int vformat(struct sink *sink, const char *fmt, va_list ap) {
  while (*fmt) {
    if (*fmt != '%') {
      const char *start = fmt;
      while (*fmt && *fmt != '%') fmt++;
      emit(sink, start, (size_t)(fmt - start));
      continue;
    }
    const char *spec = fmt++;
    int flags = 0;
    for (;; fmt++) {
      if (*fmt == '-') flags |= F_LEFT;
      else if (*fmt == '0') flags |= F_ZERO;
      else if (*fmt == ' ') flags |= F_SPACE;
      else if (*fmt == '+') flags |= F_PLUS;
      else if (*fmt == '#') flags |= F_ALT;
      else break;
    }
    int width = 0;
    if (*fmt == '*') {
      width = va_arg(ap, int);
      if (width < 0) {
        flags |= F_LEFT;
        width = -width;
      }
      fmt++;
    } else {
      while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    }
    int precision = -1;
    if (*fmt == '.') {
      fmt++;
      precision = 0;
      if (*fmt == '*') {
        precision = va_arg(ap, int);
        if (precision < 0) precision = -1;
        fmt++;
      } else {
        while (*fmt >= '0' && *fmt <= '9') precision = precision * 10 + (*fmt++ - '0');
      }
    }
    enum length length = L_NONE;
    if (*fmt == 'h') {
      length = fmt[1] == 'h' ? L_HH : L_H;
      fmt += length == L_HH ? 2 : 1;
    } else if (*fmt == 'l') {
      length = fmt[1] == 'l' ? L_LL : L_L;
      fmt += length == L_LL ? 2 : 1;
    } else if (*fmt == 'z') {
      length = L_Z;
      fmt++;
    } else if (*fmt == 'j') {
      length = L_J;
      fmt++;
    } else if (*fmt == 't') {
      length = L_T;
      fmt++;
    }
    char conversion = *fmt;
    if (conversion == '\0') {
      /* A lone '%' at the end: print it as written. */
      emit(sink, spec, (size_t)(fmt - spec));
      break;
    }
    fmt++;
    switch (conversion) {
    case 'd':
    case 'i': {
      intmax_t v;
      switch (length) {
      case L_HH: v = (signed char)va_arg(ap, int); break;
      case L_H: v = (short)va_arg(ap, int); break;
      case L_L: v = va_arg(ap, long); break;
      case L_LL: v = va_arg(ap, long long); break;
      case L_Z: v = (intmax_t)va_arg(ap, ptrdiff_t); break;
      case L_J: v = va_arg(ap, intmax_t); break;
      case L_T: v = va_arg(ap, ptrdiff_t); break;
      default: v = va_arg(ap, int); break;
      }
      /* Negate in unsigned arithmetic so INTMAX_MIN is well defined. */
      uintmax_t magnitude = v < 0 ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v;
      format_integer(sink, magnitude, v < 0, 10, 0, flags, width, precision, conversion);
      break;
    }
    case 'u':
    case 'x':
    case 'X':
    case 'o': {
      uintmax_t v;
      switch (length) {
      case L_HH: v = (unsigned char)va_arg(ap, unsigned); break;
      case L_H: v = (unsigned short)va_arg(ap, unsigned); break;
      case L_L: v = va_arg(ap, unsigned long); break;
      case L_LL: v = va_arg(ap, unsigned long long); break;
      case L_Z: v = va_arg(ap, size_t); break;
      case L_J: v = va_arg(ap, uintmax_t); break;
      case L_T: v = (uintmax_t)va_arg(ap, ptrdiff_t); break;
      default: v = va_arg(ap, unsigned); break;
      }
      unsigned base = conversion == 'u' ? 10 : conversion == 'o' ? 8 : 16;
      format_integer(sink, v, 0, base, conversion == 'X', flags, width, precision, conversion);
      break;
    }
    case 'p': {
      uintptr_t v = (uintptr_t)va_arg(ap, void *);
      format_integer(sink, v, 0, 16, 0, flags & ~F_ZERO, width, precision, 'p');
      break;
    }
    case 'c': {
      char c = (char)va_arg(ap, int);
      int fill = width > 1 ? width - 1 : 0;
      if (!(flags & F_LEFT)) pad(sink, ' ', fill);
      emit(sink, &c, 1);
      if (flags & F_LEFT) pad(sink, ' ', fill);
      break;
    }
    case 's': {
      const char *s = va_arg(ap, const char *);
      if (s == NULL) s = "(null)";
      size_t len = 0;
      while (s[len] && (precision < 0 || len < (size_t)precision)) len++;
      int fill = width > (int)len ? width - (int)len : 0;
      if (!(flags & F_LEFT)) pad(sink, ' ', fill);
      emit(sink, s, len);
      if (flags & F_LEFT) pad(sink, ' ', fill);
      break;
    }
    case '%':
      emit(sink, "%", 1);
      break;
    default:
      /* Unknown conversion: print the specification unchanged so the mistake is visible. */
      emit(sink, spec, (size_t)(fmt - spec));
      break;
    }
  }
  return sink->count > (size_t)0x7fffffff ? -1 : (int)sink->count;
}

struct buffer_sink {
  struct sink sink;
  char *buf;
  size_t size; /* capacity including the terminating NUL */
  size_t used;
};

static void buffer_put(struct sink *sink, const char *data, size_t n) {
  struct buffer_sink *b = (struct buffer_sink *)sink;
  for (size_t i = 0; i < n && b->used + 1 < b->size; i++) b->buf[b->used++] = data[i];
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) {
  struct buffer_sink b = {{buffer_put, 0}, buf, size, 0};
  int n = vformat(&b.sink, fmt, ap);
  if (size > 0) buf[b.used] = '\0';
  return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, size, fmt, ap);
  va_end(ap);
  return n;
}

int sprintf(char *buf, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, (size_t)-1 / 2, fmt, ap);
  va_end(ap);
  return n;
}

#ifndef VL_PRINTF_ONLY
#include "backend.h"

/* Standard output is buffered and flushed at each newline, when full, and at exit, so that a
 * line reaches the console in one write (one system call on the process target). */
static char stdout_buf[256];
static size_t stdout_used;

int fflush_stdout(void) {
  size_t done = 0;
  while (done < stdout_used) {
    long n = __vl_write(1, stdout_buf + done, stdout_used - done);
    if (n <= 0) {
      stdout_used = 0;
      return EOF;
    }
    done += (size_t)n;
  }
  stdout_used = 0;
  return 0;
}

static void stdout_put(struct sink *sink, const char *data, size_t n) {
  (void)sink;
  for (size_t i = 0; i < n; i++) {
    stdout_buf[stdout_used++] = data[i];
    if (data[i] == '\n' || stdout_used == sizeof stdout_buf) fflush_stdout();
  }
}

int vprintf(const char *fmt, va_list ap) {
  struct sink sink = {stdout_put, 0};
  return vformat(&sink, fmt, ap);
}

int printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vprintf(fmt, ap);
  va_end(ap);
  return n;
}

int putchar(int c) {
  char ch = (char)c;
  struct sink sink = {stdout_put, 0};
  emit(&sink, &ch, 1);
  return (unsigned char)c;
}

int puts(const char *s) {
  struct sink sink = {stdout_put, 0};
  size_t len = 0;
  while (s[len]) len++;
  emit(&sink, s, len);
  emit(&sink, "\n", 1);
  return 0;
}

int getchar(void) {
  fflush_stdout();
  unsigned char c;
  return __vl_read(0, &c, 1) == 1 ? c : EOF;
}

struct fd_sink {
  struct sink sink;
  int fd;
};

static void fd_put(struct sink *sink, const char *data, size_t n) {
  struct fd_sink *f = (struct fd_sink *)sink;
  size_t done = 0;
  while (done < n) {
    long w = __vl_write(f->fd, data + done, n - done);
    if (w <= 0) return;
    done += (size_t)w;
  }
}

int vdprintf(int fd, const char *fmt, va_list ap) {
  if (fd == 1) fflush_stdout();
  struct fd_sink f = {{fd_put, 0}, fd};
  return vformat(&f.sink, fmt, ap);
}

int dprintf(int fd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vdprintf(fd, fmt, ap);
  va_end(ap);
  return n;
}
#endif

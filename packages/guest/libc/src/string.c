/* String and memory functions (C11 7.24). Written as plain loops; this file is compiled with
 * -fno-builtin so the compiler does not turn a loop back into a call to itself. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  /* Word copies when both pointers share alignment: the workloads copy large buffers. */
  if ((((uintptr_t)d ^ (uintptr_t)s) & 3) == 0) {
    while (n > 0 && ((uintptr_t)d & 3) != 0) {
      *d++ = *s++;
      n--;
    }
    uint32_t *dw = (uint32_t *)(void *)d;
    const uint32_t *sw = (const uint32_t *)(const void *)s;
    while (n >= 4) {
      *dw++ = *sw++;
      n -= 4;
    }
    d = (unsigned char *)dw;
    s = (const unsigned char *)sw;
  }
  while (n-- > 0) *d++ = *s++;
  return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (d == s || n == 0) return dst;
  if (d < s || d >= s + n) {
    while (n-- > 0) *d++ = *s++;
  } else {
    while (n-- > 0) d[n] = s[n];
  }
  return dst;
}

void *memset(void *dst, int c, size_t n) {
  unsigned char *d = dst;
  unsigned char byte = (unsigned char)c;
  while (n > 0 && ((uintptr_t)d & 3) != 0) {
    *d++ = byte;
    n--;
  }
  uint32_t word = byte * 0x01010101u;
  uint32_t *dw = (uint32_t *)(void *)d;
  while (n >= 4) {
    *dw++ = word;
    n -= 4;
  }
  d = (unsigned char *)dw;
  while (n-- > 0) *d++ = byte;
  return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *x = a, *y = b;
  for (size_t i = 0; i < n; i++) {
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

void *memchr(const void *s, int c, size_t n) {
  const unsigned char *p = s;
  for (size_t i = 0; i < n; i++) {
    if (p[i] == (unsigned char)c) return (void *)(p + i);
  }
  return NULL;
}

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

size_t strnlen(const char *s, size_t max) {
  size_t n = 0;
  while (n < max && s[n]) n++;
  return n;
}

int strcmp(const char *a, const char *b) {
  while (*a && *a == *b) {
    a++;
    b++;
  }
  return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n) {
  for (; n > 0; n--, a++, b++) {
    if (*a != *b || *a == '\0') return (unsigned char)*a - (unsigned char)*b;
  }
  return 0;
}

char *strcpy(char *restrict dst, const char *restrict src) {
  char *d = dst;
  while ((*d++ = *src++) != '\0') {
  }
  return dst;
}

char *strncpy(char *restrict dst, const char *restrict src, size_t n) {
  size_t i = 0;
  for (; i < n && src[i]; i++) dst[i] = src[i];
  for (; i < n; i++) dst[i] = '\0';
  return dst;
}

char *strcat(char *restrict dst, const char *restrict src) {
  strcpy(dst + strlen(dst), src);
  return dst;
}

char *strchr(const char *s, int c) {
  for (;; s++) {
    if (*s == (char)c) return (char *)s;
    if (*s == '\0') return NULL;
  }
}

char *strrchr(const char *s, int c) {
  const char *found = NULL;
  for (;; s++) {
    if (*s == (char)c) found = s;
    if (*s == '\0') return (char *)found;
  }
}

char *strstr(const char *haystack, const char *needle) {
  size_t n = strlen(needle);
  for (; *haystack; haystack++) {
    if (strncmp(haystack, needle, n) == 0) return (char *)haystack;
  }
  return n == 0 ? (char *)haystack : NULL;
}

/* The host C library's snprintf and puts under names the renamed test driver can reach. */
#include <stdarg.h>
#include <stdio.h>

int host_snprintf(char *buf, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, size, fmt, ap);
  va_end(ap);
  return n;
}

int host_puts(const char *s) { return puts(s); }

/* Host-side check of virtlab's printf formatter against the host C library's snprintf (a real
 * peer, C11 7.21.6.1): compiled with `cc -DVL_PRINTF_ONLY -Dsnprintf=vl_snprintf ...` so our
 * functions get other names, then every case is formatted by both and compared. */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int vl_snprintf(char *buf, size_t size, const char *fmt, ...);
/* The host's own, reached under its real name through a wrapper compiled without the renames. */
int host_snprintf(char *buf, size_t size, const char *fmt, ...);
int host_puts(const char *s);

static int failures, cases;

#define CASE(...)                                                              \
  do {                                                                         \
    char ours[256], theirs[256];                                               \
    int n1 = vl_snprintf(ours, sizeof ours, __VA_ARGS__);                      \
    int n2 = host_snprintf(theirs, sizeof theirs, __VA_ARGS__);                \
    cases++;                                                                   \
    if (n1 != n2 || strcmp(ours, theirs) != 0) {                               \
      char line[700];                                                          \
      host_snprintf(line, sizeof line, "MISMATCH %s: ours [%s] %d, host [%s] %d", \
                    #__VA_ARGS__, ours, n1, theirs, n2);                       \
      host_puts(line);                                                         \
      failures++;                                                              \
    }                                                                          \
  } while (0)

int main(void) {
  int values[] = {0, 1, -1, 42, -42, 123456, INT_MAX, INT_MIN};
  const char *ints[] = {"%d", "%i", "%5d", "%-5d|", "%05d", "%+d", "% d", "%+05d", "%.3d", "%8.3d", "%-8.3d|",
                        "%.0d", "%+.0d", "%x", "%X", "%#x", "%#X", "%08x", "%#010x", "%o", "%#o", "%#.0o",
                        "%u", "%10u", "%-10u|", "%.0x", "%#.3o", "%c"};
  for (size_t f = 0; f < sizeof ints / sizeof ints[0]; f++) {
    for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
      if (strcmp(ints[f], "%c") == 0 && (values[v] < 32 || values[v] > 126)) continue;
      CASE(ints[f], values[v]);
    }
  }
  long long wide[] = {0, 1, -1, 1234567890123LL, LLONG_MAX, LLONG_MIN};
  for (size_t v = 0; v < sizeof wide / sizeof wide[0]; v++) {
    CASE("%lld", wide[v]);
    CASE("%llx", (unsigned long long)wide[v]);
    CASE("%20llu|", (unsigned long long)wide[v]);
    CASE("%-+22lld|", wide[v]);
    CASE("%#llo", (unsigned long long)wide[v]);
  }
  CASE("%ld %lu %lx", -7L, 7UL, 0xfeedUL);
  CASE("%hd %hu %hx", (short)-3, (unsigned short)65535, (unsigned short)0xbeef);
  CASE("%hhd %hhu %hhx", (signed char)-128, (unsigned char)255, (unsigned char)0x7f);
  CASE("%hd", 70000);
  CASE("%hhu", 300);
  CASE("%zu %zx %zd", (size_t)123456, (size_t)0xabc, (ptrdiff_t)-5);
  CASE("%s|%10s|%-10s|%.2s|%10.3s|%-10.1s|", "hello", "hi", "left", "truncate", "abcdef", "xyz");
  CASE("%*d|%-*d|%.*d|%*.*d|", 6, 42, 6, 42, 4, 7, 8, 3, 5);
  CASE("%*d|", -6, 42);
  CASE("%c%c%c|%5c|%-5c|", 'a', 'b', 'c', 'x', 'y');
  CASE("100%% %d%%", 5);
  CASE("%p", (void *)0x1234);
  CASE("%20p|%-20p|", (void *)0xdeadbeef, (void *)0x10);
  CASE("no conversions at all");
  CASE("");
  /* Truncation: the return value is the full length (7.21.6.5p3). */
  {
    char small[5];
    int n1 = vl_snprintf(small, sizeof small, "%d-%s", 123456, "abc");
    cases++;
    if (n1 != 10 || strcmp(small, "1234") != 0) {
      host_puts("MISMATCH truncation");
      failures++;
    }
    n1 = vl_snprintf(NULL, 0, "%s", "measure me");
    cases++;
    if (n1 != 10) {
      host_puts("MISMATCH size 0");
      failures++;
    }
  }
  char summary[64];
  host_snprintf(summary, sizeof summary, "%d cases, %d mismatches", cases, failures);
  host_puts(summary);
  return failures == 0 ? 0 : 1;
}

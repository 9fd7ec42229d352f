/* virtlab libc: formatted output and the console. One libc for every guest target; the
 * backend (bare UART, Linux system calls, WASI) is chosen at link time. */
#ifndef VL_STDIO_H
#define VL_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#define EOF (-1)

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int sprintf(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int dprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vdprintf(int fd, const char *fmt, va_list ap);

int putchar(int c);
int puts(const char *s);
int getchar(void);
/* Writes buffered standard output to the backend; exit() calls it. */
int fflush_stdout(void);

#endif

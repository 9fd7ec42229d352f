/* The small interface between the portable libc and one target: each backend in libc/backend/
 * defines these four functions and the program entry (_start), nothing else. */
#ifndef VL_BACKEND_H
#define VL_BACKEND_H

#include <stddef.h>
#include <stdint.h>

/* Writes n bytes to fd (1 = stdout, 2 = stderr); returns bytes written or a negative error. */
long __vl_write(int fd, const void *buf, size_t n);
/* Reads up to n bytes from fd (0 = stdin); returns bytes read, 0 at end, or a negative error. */
long __vl_read(int fd, void *buf, size_t n);
/* Ends the program with status; never returns. */
_Noreturn void __vl_exit(int status);
/* Moves the program break by increment bytes; returns the old break or (void *)-1. */
void *__vl_sbrk(intptr_t increment);

/* Portable start: runs main, then exit() with its result. Called by each backend's _start. */
_Noreturn void __vl_start(int argc, char **argv);

#endif

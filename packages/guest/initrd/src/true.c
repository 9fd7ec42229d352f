/* /bin/true: exits with the number given as its first argument (0 without one); osbench's
 * fork+execve target and the shell's simplest command. */
#include <stdlib.h>

int main(int argc, char **argv) { return argc > 1 ? atoi(argv[1]) : 0; }

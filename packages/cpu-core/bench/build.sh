#!/bin/sh
# Rebuilds the committed compute images (needs clang and ld.lld; Debian: apt-get install clang lld).
set -eu
cd "$(dirname "$0")"
CFLAGS="--target=riscv32-unknown-elf -march=rv32ima -mabi=ilp32 -mno-relax -mcmodel=medany -nostdlib -ffreestanding -fuse-ld=lld -O2 -T src/link.ld"
clang $CFLAGS src/start.S src/compute.c -o images/compute-bare.elf
clang $CFLAGS -DSV32 src/start.S src/compute.c -o images/compute-sv32.elf
# The same program with no work: measures QEMU's start-up, which the benchmark subtracts.
clang $CFLAGS -DROUNDS=0 src/start.S src/compute.c -o images/startup.elf
clang --version | head -1 > images/TOOLCHAIN
sha256sum src/* > images/SOURCES.sha256

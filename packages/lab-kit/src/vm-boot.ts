/**
 * Loads a VM the way KVM's firmware-less path does (and QEMU's `-kernel` placement, hw/riscv/boot.c):
 * the kernel ELF at its physical addresses in guest RAM, the initrd at entry + min(RAM / 2, 128 MiB),
 * the device tree 2 MiB-aligned below the end of RAM; the vcpu starts in virtual S-mode at the
 * kernel's entry with a0 = hart id and a1 = the device tree's guest-physical address.
 */
import { parseElf, virtDeviceTreeBlob } from '@virtlab/hw-model';
import type { GuestMemory } from './guest-memory.js';

const MiB = 1 << 20;

export class VmBootError extends Error {
  override name = 'VmBootError';
}

export interface VmImages {
  /** The kernel ELF (linked for the virt board's RAM at 0x8000_0000). */
  readonly kernel: Uint8Array;
  readonly initrd?: Uint8Array;
  readonly bootargs?: string;
}

export interface VmBootState {
  readonly entry: number;
  readonly fdtAddress: number;
  readonly initrd: { readonly start: number; readonly end: number } | undefined;
}

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

export function loadVm(mem: GuestMemory, images: VmImages, timebaseFrequency: number): VmBootState {
  const elf = parseElf(images.kernel);
  let kernelEnd = 0;
  for (const [i, s] of elf.segments.entries()) {
    if (s.memsz === 0) continue;
    if (!mem.contains(s.paddr, s.memsz)) {
      throw new VmBootError(`kernel segment ${i} at ${hex(s.paddr)}+${hex(s.memsz)} is outside the VM's RAM ${hex(mem.guestBase)}..${hex(mem.guestEnd)}`);
    }
    const content = new Uint8Array(s.memsz);
    content.set(images.kernel.subarray(s.offset, s.offset + s.filesz));
    mem.writeBytes(s.paddr, content);
    kernelEnd = Math.max(kernelEnd, s.paddr + s.memsz);
  }
  let initrd: VmBootState['initrd'];
  if (images.initrd !== undefined) {
    const start = elf.entry + Math.min(mem.size / 2, 128 * MiB);
    const end = start + images.initrd.length;
    if (start < kernelEnd || !mem.contains(start, Math.max(1, images.initrd.length))) {
      throw new VmBootError(`initrd of ${hex(images.initrd.length)} bytes at ${hex(start)} does not fit in the VM's RAM after the kernel (ends ${hex(kernelEnd)})`);
    }
    mem.writeBytes(start, images.initrd);
    initrd = { start, end };
  }
  const fdt = virtDeviceTreeBlob({ ramSize: mem.size, timebaseFrequency, bootargs: images.bootargs, initrd });
  const fdtAddress = Math.floor((Math.min(mem.guestEnd, 3072 * MiB) - fdt.length) / (2 * MiB)) * 2 * MiB;
  if (fdtAddress < Math.max(kernelEnd, initrd?.end ?? 0)) {
    throw new VmBootError(`device tree at ${hex(fdtAddress)}+${hex(fdt.length)} would overlap the kernel or initrd; give the VM more RAM`);
  }
  mem.writeBytes(fdtAddress, fdt);
  return { entry: elf.entry, fdtAddress, initrd };
}

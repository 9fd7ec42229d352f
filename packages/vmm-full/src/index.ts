// Public entry of @virtlab/vmm-full: full virtualization by trap-and-emulate.
export { VIRTUAL_MCOUNTEREN, Vcpu, VcpuError } from './vcpu.js';
export type { VirtualCounters, VirtualPrivilege } from './vcpu.js';
export { emulateCsrInstruction, isCsrInstruction } from './csr-emulation.js';
export type { CsrEmulation, GuestRegisters } from './csr-emulation.js';
export { enterVirtualTrap, pendingVirtualInterrupt, virtualSret, wfiWakes } from './virtual-trap.js';
export { serveSbiCall } from './sbi.js';
export {
  SBI_ERR_FAILED, SBI_ERR_INVALID_PARAM, SBI_ERR_NOT_SUPPORTED, SBI_EXT, SBI_EXTENSIONS, SBI_IMPL_ID, SBI_IMPL_VERSION, SBI_SPEC_VERSION, SBI_SUCCESS,
} from './sbi-abi.js';
export type { SbiCall, SbiMachine, SbiReturn } from './sbi-abi.js';

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
export { GuestMemory, GuestMemoryError } from '@virtlab/lab-kit';
export { leafRights, walkGuest } from './guest-page-walk.js';
export type { GuestWalk, TableUse } from './guest-page-walk.js';
export { ShadowPageTables, ShadowPagingError, TABLE_WRITE_FLOOD, shadowAsid } from './shadow-page-table.js';
export type { GuestMmuState, ShadowCounters, ShadowFault } from './shadow-page-table.js';
export { completeLoad, decodeMemoryAccess, storeValue } from './memory-access.js';
export type { MemoryAccess } from './memory-access.js';
export { VmDevices } from './vm-devices.js';
export type { VmDeviceOptions } from './vm-devices.js';
export { VmBootError, loadVm } from '@virtlab/lab-kit';
export type { VmBootState, VmImages } from '@virtlab/lab-kit';
export { VirtualMachine } from './virtual-machine.js';
export type { VirtualMachineOptions } from './virtual-machine.js';
export { EXIT_REASONS, VcpuExits, newExitCounters } from './vcpu-exit.js';
export type { ExitCounters, ExitReason } from './vcpu-exit.js';
export { Hypervisor, HypervisorError } from './hypervisor.js';
export type { HypervisorOptions } from './hypervisor.js';
export { HostPort } from '@virtlab/lab-kit';
export { VMM_EVENT_PRICES, withVmmEvents } from './vmm-events.js';
export type { VmmEvent } from './vmm-events.js';
export { BINARY_TRANSLATION_COUNTERS, TRAP_EMULATE_COUNTERS, binaryTranslationStrategy, trapEmulateStrategy, vmmFull } from './strategy.js';
export { VmGuest } from './vm-guest.js';
export type { VmSpec } from './hypervisor.js';

// Public entry of @virtlab/vmm-para: para-virtualization, Xen-style.
export * from './abi.js';
export { BlockBackend } from './block-backend.js';
export type { BlockCounters } from './block-backend.js';
export { DirectPaging, MAX_VIEWS, PAGE, PagePool, ParaError, fixedPoolPages, satpOf } from './direct-paging.js';
export type { PagingCounters, PagingDomain } from './direct-paging.js';
export { Domain, HypervisorError, ParaHypervisor } from './hypervisor.js';
export type { DomainConfig, ParaHypervisorOptions } from './hypervisor.js';
export { PARA_EVENT_PRICES, withParaEvents } from './para-events.js';
export { PARA_COUNTERS, PARA_KERNEL, paraStrategy, vmmPara } from './strategy.js';

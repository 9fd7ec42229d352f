// Public entry of @virtlab/guest: the catalog of guest workloads and the paths of built images.
export { GUEST_TARGETS, OS_WORKLOAD_ITEMS, UnknownWorkloadError, osWorkloads, workloadByName, workloads } from './catalog.js';
export { OSBENCH_ITEMS, OSBENCH_SCALE } from './osbench.js';
export type { OsbenchItem } from './osbench.js';
export type { GuestTarget } from './catalog.js';
export { guestImages, imageInfo } from './images.js';
export type { GuestImageInfo } from './images.js';
export { ESCAPE_LINES, HOSTILE_ATTACKS, HOSTILE_RAM_SIZE, SSTATUS_LINES, hostileImage } from './hostile.js';
export type { HostileAttack } from './hostile.js';
export { firmwareImage, guestImage, guestImagesDir, guestPackageDir, manifestPath, referencePath } from './paths.js';
export { WORKLOAD_SPECS } from './workload-specs.js';
export { CPIO_NAME_MAX, CpioError, readCpio, writeCpio } from '../initrd/cpio.js';
export type { CpioEntry, CpioMember } from '../initrd/cpio.js';
export type { WorkloadSpec } from './workload-specs.js';
export type { ClangRecipe, GeneratedRecipe, GenerateContext, ImageRecipe } from './build/recipe.js';
export {
  KERNEL_ENTRY,
  PAYLOAD_EXIT_STATUS,
  SBI_IMPL_ID,
  SBI_IMPL_VERSION,
  SBI_SPEC_VERSION,
  SRST_REASON_STATUS,
  firmwarePayloads,
} from './firmware.js';

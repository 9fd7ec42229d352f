// Public entry of @virtlab/os-containers: jails and zones of the guest kernel, their control plane
// (configuration, lifecycle, root trees, accounting) and the lab-view strategies.
export { ConfigError, GuestJailError, LifecycleError } from './errors.js';
export type { ConfigErrorKind, SourcePosition } from './errors.js';
export { ALLOW_FLAGS, MACHINE } from './model.js';
export type { AllowName, JailSet, JailSpec, RunSpec } from './model.js';
export { JC_LAYOUT, JC_MAGIC, JC_VERSION, encodeJailSet } from './config-image.js';
export { HOST_SECRET, rootTreeArchive } from './root-tree.js';
export { ZONED_BOOTARGS, jailBoard, jailInitrd } from './boot.js';
export { programFiles, runJailSet } from './run.js';
export type { JailAccounting, JailedRun } from './run.js';
export { checkLifecycle, jailStrategy, osContainers, workloadConfig, zoneStrategy } from './strategies.js';
export { JAIL_CONF_KEYS, checkBootable, parseJailConf } from './jail-conf.js';
export { MACHINE_MEMORY_PAGES } from './values.js';
export { ZONE_PROPERTIES, ZONE_RCTLS, ZONE_RESOURCES, parseZonecfg } from './zonecfg.js';
export { ZONE_STATES, ZoneLifecycle, actionBetween } from './lifecycle.js';
export type { ZoneAction, ZoneState } from './lifecycle.js';

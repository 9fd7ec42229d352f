// `pnpm --filter @virtlab/vmm-full neighbours [workload]`: resource control in figures. The
// unmodified kernel running `workload` (default sieve, test size) alone in a VM, then beside each
// hostile guest (packages/guest/hostile) and beside a second kernel VM: the neighbour's lab
// cycles (its own time slices), their ratio to alone, and what the other VM did meanwhile.
import { readFile } from 'node:fs/promises';
import { HOSTILE_ATTACKS, HOSTILE_RAM_SIZE, hostileImage } from '@virtlab/guest';
import { createVirtBoard, runMachine } from '@virtlab/hw-model';
import { GUEST_KERNEL, initBootargs, readKernelImages, resolveCostModel } from '@virtlab/lab-kit';
import { Hypervisor } from '../src/hypervisor.js';
import type { VmSpec } from '../src/hypervisor.js';
import { withVmmEvents } from '../src/vmm-events.js';

const POOL_PAGES = 1024;
const workload = process.argv[2] ?? 'sieve';
const { kernel, initrd } = await readKernelImages(GUEST_KERNEL);
const neighbour: VmSpec = { name: 'neighbour', kernel, initrd, bootargs: initBootargs(workload, ['test']), ramSize: 64 << 20 };

function run(vms: VmSpec[], until: 'all' | 'any') {
  const ramSize = vms.reduce((sum, s) => sum + s.ramSize! + POOL_PAGES * 4096, 0);
  const board = createVirtBoard({ ramSize, cost: withVmmEvents(resolveCostModel('default')) });
  const hv = new Hypervisor(board, vms.length === 1 ? { vm: vms[0]!, shadowPoolPages: POOL_PAGES } : { vms, until, shadowPoolPages: POOL_PAGES });
  runMachine(board, hv.engine, { maxInstructions: 200_000_000 });
  return hv;
}

const alone = run([neighbour], 'all').guests[0]!.vm.cycles;
console.log(`| beside | neighbour lab cycles | ratio to alone | VM switches | the other VM's exits | its console bytes kept / dropped |`);
console.log('|---|---:|---:|---:|---:|---:|');
console.log(`| (alone) | ${alone.toLocaleString('en-US')} | 1.0000 | 0 | | |`);
const others: [string, VmSpec, 'all' | 'any'][] = [];
for (const attack of HOSTILE_ATTACKS) {
  const disk = attack === 'virtio' ? { disk: new Uint8Array(64 << 10) } : {};
  others.push([`hostile ${attack}`, { name: attack, kernel: new Uint8Array(await readFile(hostileImage(attack))), ramSize: HOSTILE_RAM_SIZE, ...disk }, attack === 'virtio' || attack === 'sstatus' ? 'all' : 'any']);
}
others.push(['kernel + sha256', { name: 'sha256', kernel, initrd, bootargs: initBootargs('sha256', ['test']), ramSize: 64 << 20 }, 'all']);
for (const [label, other, until] of others) {
  const hv = run([other, neighbour], until);
  const [o, n] = hv.guests;
  if (n!.haltReason?.kind !== 'poweroff') throw new Error(`${label}: the neighbour did not finish`);
  const c = o!.counters();
  console.log(`| ${label} | ${n!.vm.cycles.toLocaleString('en-US')} | ${(n!.vm.cycles / alone).toFixed(4)} | ${hv.vmSwitches} | ${c['vmm.exits']!.toLocaleString('en-US')} | ${o!.console.length} / ${o!.vm.devices.uart.droppedBytes} |`);
}

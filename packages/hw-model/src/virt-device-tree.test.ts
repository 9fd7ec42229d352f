import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FdtNode } from './fdt.js';
import { FDT_MAGIC, FdtError, decodeFdt, encodeFdt, node } from './fdt.js';
import { has, parseDts } from './test-support/tools.js';
import { virtDeviceTreeBlob } from './virt-device-tree.js';

const dir = mkdtempSync(join(tmpdir(), 'virtlab-fdt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function decompile(blob: Uint8Array, name: string): string {
  const file = join(dir, name);
  writeFileSync(file, blob);
  return execFileSync('dtc', ['-I', 'dtb', '-O', 'dts', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const be32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at);

describe('FDT encoding (devicetree spec v0.4 chapter 5)', () => {
  it('writes the header fields: magic, sizes, offsets, version 17 compatible with 16', () => {
    const blob = encodeFdt(node('', [['model', 'x']], [node('a@1', [['reg', [1]]])]));
    expect(be32(blob, 0)).toBe(FDT_MAGIC);
    expect(be32(blob, 4)).toBe(blob.length);
    const offStruct = be32(blob, 8), offStrings = be32(blob, 12), offRsv = be32(blob, 16);
    expect(offRsv).toBe(40);
    expect(offRsv % 8).toBe(0);
    expect(be32(blob, 20)).toBe(17);
    expect(be32(blob, 24)).toBe(16);
    expect(be32(blob, 32)).toBe(blob.length - offStrings); // size_dt_strings
    expect(be32(blob, 36)).toBe(offStrings - offStruct); // size_dt_struct
    expect(be32(blob, offStruct)).toBe(1); // FDT_BEGIN_NODE
    expect(be32(blob, offStrings - 4)).toBe(9); // FDT_END
    expect(new TextDecoder().decode(blob.subarray(offStrings))).toBe('model\0reg\0');
  });

  it('refuses cells that are not u32 and a named root', () => {
    expect(() => encodeFdt(node('', [['reg', [-1]]]))).toThrow(FdtError);
    expect(() => encodeFdt(node('x', []))).toThrow(/root/);
  });

  it('decodes back to the same tree, and rejects damaged blobs', () => {
    const tree = node('', [['model', 'm'], ['cells', [1, 0xffffffff]]], [node('a@1', [['e', true]], [node('b', [['s', ['x', 'yz']]])])]);
    const back = decodeFdt(encodeFdt(tree));
    const text = (n: FdtNode): unknown => ({ name: n.name, props: n.props.map(([k, v]) => [k, [...(v as Uint8Array)]]), children: n.children.map(text) });
    expect(text(back)).toEqual(text(decodeFdt(encodeFdt(back))));
    expect(back.children[0]?.children[0]?.name).toBe('b');
    expect(new TextDecoder().decode(back.props[0]?.[1] as Uint8Array)).toBe('m\0');
    const blob = encodeFdt(tree);
    expect(() => decodeFdt(blob.subarray(0, 30))).toThrow(FdtError);
    const bad = blob.slice();
    bad[0] = 0;
    expect(() => decodeFdt(bad)).toThrow(/magic/);
    expect(() => decodeFdt(blob.subarray(0, blob.length - 8))).toThrow(/totalsize/);
  });

  it('decodes the board tree: /chosen bootargs and /memory reg are where they were put', () => {
    const tree = decodeFdt(virtDeviceTreeBlob({ ramSize: 64 << 20, timebaseFrequency: 10_000_000, bootargs: 'quiet' }));
    const chosen = tree.children.find((c) => c.name === 'chosen')!;
    expect(new TextDecoder().decode(chosen.props.find(([k]) => k === 'bootargs')?.[1] as Uint8Array)).toBe('quiet\0');
    const memory = tree.children.find((c) => c.name === 'memory@80000000')!;
    expect([...(memory.props.find(([k]) => k === 'reg')?.[1] as Uint8Array)]).toEqual([0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x04, 0, 0, 0]);
  });

  it.skipIf(!has('dtc'))('is accepted by dtc (skipped: dtc not installed)', () => {
    const dts = decompile(encodeFdt(node('', [['s', ['a', 'b']], ['e', true], ['c', [0x12345678, 2]]])), 'small.dtb');
    expect(dts).toContain('s = "a\\0b";');
    expect(dts).toContain('e;');
    expect(dts).toContain('c = <0x12345678 0x02>;');
  });
});

describe('the virt board device tree', () => {
  const blob = virtDeviceTreeBlob({
    ramSize: 128 * 1024 * 1024,
    timebaseFrequency: 10_000_000,
    bootargs: 'console=ttyS0 root=/dev/vda',
    initrd: { start: 0x8440_0000, end: 0x8450_0000 },
  });

  it.skipIf(!has('dtc'))('decompiles with dtc to the expected nodes and values (skipped: dtc not installed)', () => {
    const tree = parseDts(decompile(blob, 'ours.dtb'));
    expect(tree.get('/memory@80000000')?.get('reg')).toBe('<0x00 0x80000000 0x00 0x8000000>');
    expect(tree.get('/cpus')?.get('timebase-frequency')).toBe('<0x989680>');
    expect(tree.get('/cpus/cpu@0')?.get('riscv,isa')).toBe('"rv32ima_zicsr_zifencei"');
    expect(tree.get('/cpus/cpu@0/interrupt-controller')?.get('compatible')).toBe('"riscv,cpu-intc"');
    expect(tree.get('/chosen')?.get('bootargs')).toBe('"console=ttyS0 root=/dev/vda"');
    expect(tree.get('/chosen')?.get('linux,initrd-start')).toBe('<0x84400000>');
    expect(tree.get('/chosen')?.get('linux,initrd-end')).toBe('<0x84500000>');
    expect(tree.get('/chosen')?.get('stdout-path')).toBe('"/soc/serial@10000000"');
    expect(tree.get('/soc/serial@10000000')?.get('interrupts')).toBe('<0x0a>');
    expect(tree.get('/soc/plic@c000000')?.get('interrupts-extended')).toBe('<0x02 0x0b 0x02 0x09>');
    expect(tree.get('/soc/test@100000')?.get('compatible')).toBe('"sifive,test1\\0sifive,test0\\0syscon"');
    for (let i = 0; i < 8; i++) {
      expect(tree.get(`/soc/virtio_mmio@${(0x10001000 + i * 0x1000).toString(16)}`)?.get('interrupts')).toBe(`<0x0${i + 1}>`);
    }
  });

  it.skipIf(!has('dtc') || !has('qemu-system-riscv32'))(
    "matches QEMU's own virt tree on every node the board has (skipped: needs dtc and qemu-system-riscv32)",
    () => {
      const qemuDtb = join(dir, 'qemu.dtb');
      execFileSync('qemu-system-riscv32', ['-M', 'virt', '-m', '128M', '-bios', 'none', '-display', 'none', '-machine', `dumpdtb=${qemuDtb}`], {
        stdio: 'ignore',
        timeout: 30_000,
      });
      const qemu = parseDts(decompile(readFileSync(qemuDtb), 'qemu-decompiled.dtb'));
      const ours = parseDts(decompile(blob, 'ours2.dtb'));
      // QEMU's cpu runs a bigger ISA, and rng-seed is random; everything else must agree.
      const skip = new Set(['/cpus/cpu@0 riscv,isa', '/chosen rng-seed', '/chosen bootargs', '/chosen linux,initrd-start', '/chosen linux,initrd-end']);
      let compared = 0;
      for (const [path, props] of ours) {
        const theirs = qemu.get(path);
        expect(theirs, `QEMU has ${path}`).toBeDefined();
        for (const [name, value] of props) {
          if (skip.has(`${path} ${name}`)) continue;
          expect(`${path} ${name} = ${theirs?.get(name)}`).toBe(`${path} ${name} = ${value}`);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(80);
      // And every QEMU property of the nodes we model, except the ones we leave out on purpose.
      for (const path of ['/soc/plic@c000000', '/soc/clint@2000000', '/soc/serial@10000000', '/memory@80000000', '/cpus', '/poweroff']) {
        expect([...(qemu.get(path)?.keys() ?? [])].sort()).toEqual([...(ours.get(path)?.keys() ?? [])].sort());
      }
    },
  );
});

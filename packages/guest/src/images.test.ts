import { readFile } from 'node:fs/promises';
import { PF_W, PF_X, parseElf } from '@virtlab/hw-model';
import { imageFor } from '@virtlab/strategy';
import { describe, expect, it } from 'vitest';
import { diskImage } from '../disk/recipes.js';
import { GUEST_TARGETS, osWorkloads, workloadByName, workloads } from './catalog.js';
import { guestImages } from './images.js';
import { WASI_IMPORTS } from './test-support/wasi.js';

describe('the catalog', () => {
  it('has every workload on every target at both sizes, with a reference per size', () => {
    expect(workloads.length).toBeGreaterThanOrEqual(10);
    for (const workload of workloads) {
      expect(workload.sizes).toEqual(['test', 'bench']);
      for (const size of workload.sizes) {
        for (const target of GUEST_TARGETS) expect(imageFor(workload, target, size), `${workload.name} ${target} ${size}`).toBeDefined();
        expect(workload.reference[size]?.endsWith('\n')).toBe(true);
      }
    }
  });

  it('has osbench as an OS workload: rv32-process images only, the scale as argv[1], its disk, a reference per size', async () => {
    expect(osWorkloads.map((w) => w.name)).toEqual(['osbench']);
    const [osbench] = osWorkloads;
    expect(osbench?.images.map((i) => `${i.target} ${i.size} ${i.args?.join(' ')}`)).toEqual(['rv32-process test 1', 'rv32-process bench 10']);
    for (const target of GUEST_TARGETS.filter((t) => t !== 'rv32-process')) expect(imageFor(osbench!, target, 'test')).toBeUndefined();
    expect(osbench?.reference.test?.split('\n')[0]).toBe('osbench: scale 1');
    expect(osbench?.reference.bench?.split('\n')[1]).toBe('null syscall (getppid): 200000 calls, checksum 0');
    // The committed disk is the generator's output: the block-read checksum of the reference follows from it.
    expect(Buffer.from(await readFile(osbench?.disk ?? '')).equals(Buffer.from(diskImage()))).toBe(true);
    // OS workloads stay out of the compute suite every target runs.
    expect(workloads.map((w) => w.name)).not.toContain('osbench');
  });

  it('lists image sizes from the manifest', () => {
    const bare = guestImages.find((image) => image.output === 'rv32-bare/crc32-test.elf');
    expect(bare?.bytes).toBeGreaterThan(1000);
    expect(bare?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the workloads it has when asked for one it does not', () => {
    expect(() => workloadByName('nope')).toThrow(/no guest workload named 'nope' \(have: crc32, /);
  });
});

describe('image formats', () => {
  it('wasm32-wasi images import only WASI preview 1 fd_write and proc_exit, and export _start and memory', async () => {
    for (const workload of workloads) {
      for (const size of workload.sizes) {
        const path = imageFor(workload, 'wasm32-wasi', size)?.path ?? '';
        const module = await WebAssembly.compile(await readFile(path));
        const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`);
        expect(imports.sort()).toEqual(['wasi_snapshot_preview1.fd_write', 'wasi_snapshot_preview1.proc_exit']);
        for (const name of imports) expect(WASI_IMPORTS).toContain(name.split('.')[1]);
        const exports = WebAssembly.Module.exports(module).map((e) => `${e.kind} ${e.name}`);
        expect(exports.sort()).toEqual(['function _start', 'memory memory']);
      }
    }
  });

  it('rv32-process images are static ELFs at 0x10000 with read-only text and a writable data segment', async () => {
    for (const workload of workloads) {
      const elf = parseElf(await readFile(imageFor(workload, 'rv32-process', 'test')?.path ?? ''));
      const [text, data] = elf.segments;
      expect(text?.vaddr).toBe(0x10000);
      expect(elf.entry).toBeGreaterThan(0x10000);
      expect(text !== undefined && (text.flags & PF_X) !== 0 && (text.flags & PF_W) === 0).toBe(true);
      expect(data !== undefined && (data.flags & PF_W) !== 0 && (data.flags & PF_X) === 0).toBe(true);
      expect((data?.vaddr ?? 0) % 0x1000).toBe(0);
    }
  });

  it('rv32-bare images load at 0x80000000 and start there', async () => {
    for (const workload of workloads) {
      const elf = parseElf(await readFile(imageFor(workload, 'rv32-bare', 'test')?.path ?? ''));
      expect(elf.entry).toBe(0x80000000);
      expect(elf.segments[0]?.paddr).toBe(0x80000000);
    }
  });
});

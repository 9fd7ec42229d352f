// Fuzz targets for the parsers of outside input outside lang-vm: the ELF loader, the device-tree
// decoder, the cpio reader, `virtlab report`'s bench JSON, cost-model files. Seeds are the
// repository's own inputs (committed images, the board's tree, the initrd writer's archives).
import { readFileSync } from 'node:fs';
import { CpioError, readCpio, writeCpio } from '@virtlab/guest';
import { Bus, CostModelError, DEFAULT_COST_MODEL, ElfError, FdtError, decodeFdt, loadElf, virtDeviceTreeBlob } from '@virtlab/hw-model';
import { PROGRAMS, imagePath, mapLoads, overlappingLoads, overlappingNames } from '@virtlab/hw-model/test-programs';
import { InputFileError, costModelFromJson, jsonErrorOffset, parseJsonText } from '@virtlab/lab-kit';
import { BenchFileError, allTables, benchResultFromJson, chartSpecs, notes, renderMarkdown } from '@virtlab/runner';
import { Disagreement, verdictOf, type FuzzTarget, type Verdict } from '../engine.js';
import { mutateJson } from './json-structure.js';

const MiB = 1024 * 1024;
const utf8 = new TextEncoder();
const tokens = (...words: string[]) => words.map((w) => utf8.encode(w));

/** One board-sized RAM for every ELF case (the loader writes into it; contents do not matter). */
let elfBus: Bus | undefined;

export const elfTarget: FuzzTarget = {
  name: 'elf',
  description: "hw-model's ELF loader (parseElf + loadElf into 128 MiB of RAM at 0x8000_0000), seeded with the committed test programs and small hostile files",
  maxSize: 64 * 1024,
  seeds() {
    const images = PROGRAMS.map((p) => new Uint8Array(readFileSync(imagePath(p.name))));
    const hello = images[0] as Uint8Array;
    return [
      ...images,
      overlappingLoads(hello, 16, 64 * MiB),
      overlappingNames(hello, 64, 512, false),
      overlappingNames(hello, 64, 512, true),
      mapLoads(hello, (p) => ({ ...p, vaddr: p.paddr - 0x8000_0000 }), 0),
    ];
  },
  run(input) {
    const bus = (elfBus ??= new Bus(0x8000_0000, 128 * MiB));
    return verdictOf([ElfError], () => {
      const image = loadElf(bus, input);
      // What a caller relies on when the loader accepts: segments in RAM, disjoint, entry in one.
      const ram = (s: { paddr: number; memsz: number }) => s.memsz === 0 || bus.isRam(s.paddr, s.memsz);
      if (!image.segments.every(ram)) throw new Disagreement('an accepted ELF has a segment outside RAM');
      if (!image.segments.some((s) => image.entry >= s.paddr && image.entry < s.paddr + s.memsz)) throw new Disagreement('an accepted ELF has its entry outside every segment');
    });
  },
};

export const fdtTarget: FuzzTarget = {
  name: 'fdt',
  description: "hw-model's device-tree decoder (decodeFdt), seeded with the board's own trees",
  seeds: () => [
    virtDeviceTreeBlob({ ramSize: 128 * MiB, timebaseFrequency: 10_000_000, bootargs: 'console=ttyS0' }),
    virtDeviceTreeBlob({ ramSize: 64 * MiB, timebaseFrequency: 10_000_000, bootargs: '', initrd: { start: 0x8440_0000, end: 0x8450_0000 } }),
  ],
  dictionary: [Uint8Array.of(0xd0, 0x0d, 0xfe, 0xed), Uint8Array.of(0, 0, 0, 1), Uint8Array.of(0, 0, 0, 2), Uint8Array.of(0, 0, 0, 3), Uint8Array.of(0, 0, 0, 9), Uint8Array.of(0, 0, 0, 4)],
  run(input) {
    return verdictOf([FdtError], () => {
      decodeFdt(input);
    });
  },
};

export const cpioTarget: FuzzTarget = {
  name: 'cpio',
  description: "guest's cpio newc reader (readCpio), seeded with archives of the initrd writer",
  dictionary: tokens('070701', 'TRAILER!!!', '00000000', 'ffffffff', '0000000b', '00041ed', '000081ed', '/', '../'),
  seeds: () => [
    writeCpio([{ path: 'bin' }, { path: 'bin/sh', data: utf8.encode('#!/bin/sh\necho hi\n') }, { path: 'bin/empty', data: new Uint8Array(0) }]),
    writeCpio([{ path: 'a/b/c', data: new Uint8Array(37).fill(0x5a) }, { path: 'é', data: Uint8Array.of(1, 2, 3) }]),
    writeCpio([]),
  ],
  run(input) {
    return verdictOf([CpioError], () => {
      const members = readCpio(input);
      for (const m of members) {
        if (m.data.buffer !== input.buffer || m.data.byteOffset + m.data.length > input.byteOffset + input.length) throw new Disagreement(`member '${m.name}' is not inside the archive`);
      }
    });
  },
};

const JSON_WORDS = tokens('null', 'true', 'false', '-1', '0', '1e999', '-0', '1.5', '"x"', '""', '[]', '{}', '"__proto__"', '"constructor"', ',', ':', '"', '[', ']', '{', '}', '\\u0000', '"ok"', '"lab"', '"host"', '"failed"');

/** JSON.parse and the error locator agree on what is JSON (else the line/column would lie). */
function parseChecked(text: string, source: string): unknown {
  const offset = jsonErrorOffset(text);
  let parsed: unknown;
  try {
    parsed = parseJsonText(text, source);
  } catch (error) {
    if (offset < 0) throw new Disagreement(`JSON.parse refuses text that jsonErrorOffset calls JSON: ${(error as Error).message}`);
    throw error;
  }
  if (offset >= 0) throw new Disagreement(`jsonErrorOffset finds an error at ${offset} in text JSON.parse accepts`);
  return parsed;
}

const decodeText = (input: Uint8Array) => new TextDecoder().decode(input);

export const benchJsonTarget: FuzzTarget = {
  name: 'bench-json',
  description: "`virtlab report`'s input: bench JSON parsed, checked (benchResultFromJson) and rendered (tables, notes, Markdown, the HTML report's chart data)",
  dictionary: JSON_WORDS,
  structured: mutateJson,
  seeds() {
    const committed = JSON.parse(readFileSync(new URL('../../../../docs/results.json', import.meta.url), 'utf8')) as { records: unknown[] };
    // Records of every kind (lab, host, OS items) from the committed results, a few of each.
    const pick = (n: number, from: number) => ({ ...committed, records: committed.records.slice(from, from + n) });
    const total = committed.records.length;
    return [pick(6, 0), pick(6, Math.floor(total / 2)), pick(6, total - 6)].map((r) => utf8.encode(JSON.stringify(r, null, 1)));
  },
  run(input) {
    return verdictOf([InputFileError, BenchFileError], () => {
      const result = benchResultFromJson(parseChecked(decodeText(input), 'fuzz.json'), 'fuzz.json');
      allTables(result);
      notes(result);
      renderMarkdown(result);
      chartSpecs(result);
    });
  },
};

export const costModelTarget: FuzzTarget = {
  name: 'cost-model',
  description: 'cost-model files: JSON parsed and checked (costModelFromJson)',
  dictionary: JSON_WORDS,
  structured: mutateJson,
  seeds: () =>
    [DEFAULT_COST_MODEL, { trapEntry: 30, events: { 'vm.exit': 900 } }, { instruction: { load: 3, mul: 4 }, mmioAccess: 25 }, {}].map((m) => utf8.encode(JSON.stringify(m, null, 1))),
  run(input) {
    return verdictOf([InputFileError, CostModelError], () => {
      costModelFromJson(parseChecked(decodeText(input), 'fuzz.json'), 'fuzz.json');
    });
  },
};

export type { Verdict };

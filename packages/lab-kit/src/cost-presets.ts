import { COST_SCALAR_KEYS, CostModelError, DEFAULT_COST_MODEL, INSTRUCTION_CLASSES, costModel, type CostModel } from '@virtlab/hw-model';
import { InputFileError, readJsonFile } from './input-file.js';

/**
 * The events every lab strategy may charge, and what each one stands for. A preset prices all of
 * them; a strategy may add its own on top (priced by its own documented defaults).
 */
export const STANDARD_EVENTS = {
  /**
   * One world switch: the guest leaves for the monitor and is resumed, on top of the trap entry
   * and return the hart already charges (the monitor saves and restores the guest's state).
   */
  'vm.exit': 'a world switch: the state the monitor saves and restores around a trap it handles',
} as const;

export type StandardEvent = keyof typeof STANDARD_EVENTS;

const { store, load, csr } = DEFAULT_COST_MODEL.instruction;

/**
 * A cost-model preset: a name, what it models and where its figures come from, and the prices it
 * sets. Presets change prices of events only, never instruction or trap prices, so that comparing
 * presets compares what virtualization's own transitions cost.
 */
export interface CostPreset {
  readonly name: string;
  readonly description: string;
  readonly events: Readonly<Record<StandardEvent, number>>;
}

export const COST_PRESETS: readonly CostPreset[] = [
  {
    name: 'default',
    description: 'a software monitor on the lab core: a world switch costs what saving and restoring the guest does',
    events: {
      // Derived from the default instruction prices, not measured: the monitor stores and reloads the
      // 31 integer registers and reads/writes the four trap CSRs (mepc, mcause, mtval, mstatus) twice.
      'vm.exit': 31 * store + 31 * load + 8 * csr,
    },
  },
  {
    name: 'vtx-2006',
    description: 'first-generation hardware virtualization: a world switch of the order of a thousand cycles and more',
    events: {
      // Adams and Agesen, "A Comparison of Software and Hardware Techniques for x86 Virtualization",
      // ASPLOS 2006: a VM exit and re-entry on the first VT-x processors (Pentium 4) costs of the order
      // of a thousand cycles or more, which is why their hardware VMM often lost to binary
      // translation. Intel's own note on VM exits (2009) speaks of "hundreds or thousands of cycles
      // for a single transition". A round figure of that order:
      'vm.exit': 1500,
    },
  },
  {
    name: 'modern',
    description: 'current hardware virtualization: a world switch of a few hundred cycles',
    events: {
      // Agesen, Mattson, Rugina and Sheldon, "Software Techniques for Avoiding Hardware
      // Virtualization Exits", USENIX ATC 2012: successive processor generations cut the exit and
      // entry round trip to a few hundred cycles. A round figure of that order:
      'vm.exit': 400,
    },
  },
];

export const COST_PRESET_NAMES: readonly string[] = COST_PRESETS.map((p) => p.name);

function presetModel(preset: CostPreset): CostModel {
  return costModel({ events: { ...preset.events } });
}

const TOP_LEVEL_KEYS = new Set<string>(['instruction', 'events', ...COST_SCALAR_KEYS]);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A cost model from parsed JSON: any of the model's keys, each a non-negative integer; what is
 * absent comes from the `default` preset (its event prices included). A key the model does not
 * have is an error naming it (and `source`), never ignored.
 */
export function costModelFromJson(value: unknown, source: string): CostModel {
  if (!isRecord(value)) throw new CostModelError(`${source}: a cost model is a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  for (const key of Object.keys(value)) {
    if (!TOP_LEVEL_KEYS.has(key)) {
      throw new CostModelError(`${source}: unknown key '${key}' (known: ${[...TOP_LEVEL_KEYS].join(', ')})`);
    }
  }
  const { instruction, events } = value;
  if (instruction !== undefined) {
    if (!isRecord(instruction)) throw new CostModelError(`${source}: 'instruction' must be an object of class prices`);
    for (const key of Object.keys(instruction)) {
      if (!(INSTRUCTION_CLASSES as readonly string[]).includes(key)) {
        throw new CostModelError(`${source}: unknown instruction class 'instruction.${key}' (known: ${INSTRUCTION_CLASSES.join(', ')})`);
      }
    }
  }
  if (events !== undefined && !isRecord(events)) throw new CostModelError(`${source}: 'events' must be an object of event prices`);
  const base = COST_PRESETS[0]!;
  try {
    return costModel({
      ...(value as object),
      events: { ...base.events, ...(events as Record<string, number> | undefined) },
    });
  } catch (error) {
    if (error instanceof CostModelError) throw new CostModelError(`${source}: ${error.message}`);
    throw error;
  }
}

/**
 * A cost-model file is a small table of prices: anything larger than this is refused before it is
 * parsed (a file of every event a strategy could name fits in a few kilobytes).
 */
export const COST_MODEL_FILE_MAX_BYTES = 1024 * 1024;

/**
 * The cost model named by `spec`: a preset's name (`default`, `vtx-2006`, `modern`) or the path of
 * a JSON file (anything ending in `.json`). Errors name the bad preset, file or key.
 */
export function resolveCostModel(spec: string): CostModel {
  const preset = COST_PRESETS.find((p) => p.name === spec);
  if (preset !== undefined) return presetModel(preset);
  if (!spec.endsWith('.json')) {
    throw new CostModelError(`unknown cost model '${spec}': a preset (${COST_PRESET_NAMES.join(', ')}) or a .json file`);
  }
  let parsed: unknown;
  try {
    parsed = readJsonFile(spec, 'cost model file', COST_MODEL_FILE_MAX_BYTES);
  } catch (error) {
    if (error instanceof InputFileError) throw new CostModelError(error.message);
    throw error;
  }
  return costModelFromJson(parsed, `cost model file '${spec}'`);
}

/**
 * The full-system emulator: the lab board (hw-model's `VirtBoard` with all its devices) and one
 * hart driven by an engine — the translator by default, the interpreter on request — behind the
 * same run loop (`runMachine`) and boot protocols (`bootBareElf`, `bootQemu`) the lab uses.
 */
import { DEFAULT_RAM_SIZE, bootBareElf, bootQemu, createVirtBoard, runMachine, startHart } from '@virtlab/hw-model';
import type { MachineRunResult, QemuBootOptions, RunMachineOptions, VirtBoard, VirtBoardOptions } from '@virtlab/hw-model';
import { createEngine } from './engine.js';
import type { Engine, EngineKind, EngineOptions } from './engine.js';
import { wasmApi } from './wasm-encoder.js';
import { WasmRam } from './wasm-region.js';

export interface EmulatorOptions {
  /** A board to run on; a new `createVirtBoard(boardOptions)` when absent. */
  readonly board?: VirtBoard;
  readonly boardOptions?: VirtBoardOptions;
  /** `dbt` (default) or `interp`. */
  readonly engine?: EngineKind;
  /** Hart options (profile, TLB size, monitor) and translation-cache bounds. */
  readonly engineOptions?: EngineOptions;
}

export interface Emulator {
  readonly board: VirtBoard;
  readonly engine: Engine;
  /** Loads a bare ELF as `qemu -bios none -kernel` does and points the hart at it. */
  loadBareElf(elf: Uint8Array, options?: { htif?: boolean }): void;
  /** Firmware, kernel, initrd and bootargs as `qemu -bios -kernel -initrd -append`. */
  bootQemu(options: QemuBootOptions): void;
  /** Runs until power-off, reset, deadlock, fault loop or the budget (hw-model's `runMachine`). */
  run(options?: RunMachineOptions): MachineRunResult;
}

/**
 * Guest RAM for a board the translator will run, held where its wasm back end wants it (a
 * `WasmRam`): pass `buffer` as the board's `ramBuffer` and the `WasmRam` as the engine's
 * `wasmRam`. Undefined for the interpreter, with `wasm: false` or a `wasmRam` already given, and
 * on hosts without WebAssembly (the board then keeps a plain buffer, regions stay JavaScript).
 */
export function wasmRamFor(kind: string, ramSize: number = DEFAULT_RAM_SIZE, options?: EngineOptions): WasmRam | undefined {
  return kind === 'dbt' && options?.wasm !== false && options?.wasmRam === undefined && wasmApi !== undefined ? new WasmRam(ramSize) : undefined;
}

export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const kind = options.engine ?? 'dbt';
  const eo = options.engineOptions;
  // The translator's wasm back end wants guest RAM in a WebAssembly.Memory: a board made here gets it.
  const wasmRam = options.board === undefined ? wasmRamFor(kind, options.boardOptions?.ramSize ?? DEFAULT_RAM_SIZE, eo) : undefined;
  const board = options.board ?? createVirtBoard(wasmRam === undefined ? options.boardOptions : { ...options.boardOptions, ramBuffer: wasmRam.buffer });
  const engine = createEngine(kind, board, wasmRam === undefined ? eo : { ...eo, wasmRam });
  return {
    board,
    engine,
    loadBareElf(elf, o = {}) {
      startHart(engine, bootBareElf(board, elf, o).state);
    },
    bootQemu(o) {
      startHart(engine, bootQemu(board, o).state);
    },
    run(o = {}) {
      return runMachine(board, engine, o);
    },
  };
}

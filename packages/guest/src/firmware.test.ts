import { describe, expect, it } from 'vitest';
import { PAYLOAD_EXIT_STATUS, SBI_IMPL_ID, firmwarePayloads } from './firmware.js';
import { firmwareImage } from './paths.js';
import { runFirmwareOnBoard } from './test-support/lab-board.js';
import type { PeerResult } from './test-support/peers.js';
import { has, runQemu } from './test-support/peers.js';

const hasQemu = has('qemu-system-riscv32');
if (!hasQemu) console.warn('skipping the firmware tests on QEMU: qemu-system-riscv32 is not installed');

const hex = (value: number) => `0x${value.toString(16).padStart(8, '0')}`;

/**
 * What the payload must print, line by line, from the SBI 2.0 specification: the version
 * encoding (4.1), probe results (4.4: 1 available, 0 not), error codes (3: -2 not supported,
 * -3 invalid parameter), and the privileged spec's cause numbers (illegal instruction = 2).
 */
const specLines = [
  'hart: 0',
  'fdt magic: 0xd00dfeed', // devicetree specification 5.2
  'spec version: 0x02000000',
  `impl id: ${hex(SBI_IMPL_ID)}`,
  'impl version: 0x00010000',
  'probe base: 1',
  'probe time: 1',
  'probe srst: 1',
  'probe dbcn: 1',
  'probe legacy set_timer: 1',
  'probe legacy putchar: 1',
  'probe legacy getchar: 1',
  'probe legacy shutdown: 1',
  'probe hsm: 0',
  'probe 0x12345678: 0',
];
const afterIds = [
  'base function 99 error: -2',
  'unknown extension error: -2',
  'write_byte ok',
  'dbcn write above 4 GiB error: -3',
  'dbcn write outside ram error: -3',
  'dbcn read error: 0',
  'legacy putchar ok',
  'counters trapped: 0', // mcounteren lets S read cycle, time, instret
  'illegal instruction scause: 2', // delegated through medeleg, handled in S
  'timer interrupts: 1', // TIME set_timer, MTIP forwarded as STIP
  'timer fired after deadline: 1',
  'stip pending after re-arm: 0', // set_timer clears the pending STIP
];
const srstRefusals = ['srst reserved type error: -3', 'srst reserved reason error: -3'];

function expectProbeOutput(result: PeerResult, ending: readonly string[]): void {
  const lines = result.output.split('\n');
  expect(lines.slice(0, specLines.length)).toEqual(specLines);
  // mvendorid, marchid, mimpid: whatever the machine's CSRs hold, as hex.
  const ids = lines.slice(specLines.length, specLines.length + 3);
  expect(ids.map((line) => line.replace(/0x[0-9a-f]{8}$/, 'HEX'))).toEqual([
    'mvendorid: HEX',
    'marchid: HEX',
    'mimpid: HEX',
  ]);
  expect(lines.slice(specLines.length + 3)).toEqual([...afterIds, ...ending, '']);
}

type Runner = (payload: string) => Promise<PeerResult & { exitKind?: string }>;

function describeFirmware(machine: string, skip: boolean, run: Runner) {
  describe.skipIf(skip)(`firmware on ${machine} (-bios fw.elf -kernel payload)`, () => {
    it('answers every probe and call as SBI 2.0 says, and powers off with status 0 through SRST', async () => {
      const result = await run(firmwarePayloads.probe);
      expectProbeOutput(result, [...srstRefusals, 'srst shutdown status: 0']);
      expect(result.exitCode).toBe(0);
    });

    it(`powers off with the requested status ${PAYLOAD_EXIT_STATUS} (SRST reason 0xE0000000 | status)`, async () => {
      const result = await run(firmwarePayloads.exit);
      expectProbeOutput(result, [...srstRefusals, `srst shutdown status: ${PAYLOAD_EXIT_STATUS}`]);
      expect(result.exitCode).toBe(PAYLOAD_EXIT_STATUS);
    });

    it('powers off through the legacy shutdown call', async () => {
      const result = await run(firmwarePayloads.legacyShutdown);
      expectProbeOutput(result, ['legacy shutdown: 0']);
      expect(result.exitCode).toBe(0);
    });
  });
}

describeFirmware('QEMU', !hasQemu, (payload) => runQemu(payload, { bios: firmwareImage }));
describeFirmware('the lab board', false, (payload) => runFirmwareOnBoard(payload));

describe('firmware reboot', () => {
  it.skipIf(!hasQemu)('SRST cold reboot resets QEMU: the payload runs again from the start', async () => {
    const marker = 'srst cold reboot: 0\n';
    const result = await runQemu(firmwarePayloads.reboot, {
      bios: firmwareImage,
      stopWhen: (output) => output.split(marker).length > 2,
    });
    // Two complete runs, each ending in the reboot request, and never "still running".
    expect(result.output.split(marker).length).toBeGreaterThan(2);
    expect(result.output.startsWith('hart: 0\n')).toBe(true);
    expect(result.output).toContain(`${marker}hart: 0\n`);
    expect(result.output).not.toContain('still running');
  });

  it('SRST cold reboot resets the lab board', async () => {
    const result = await runFirmwareOnBoard(firmwarePayloads.reboot);
    expect(result.exitKind).toBe('reset');
    expect(result.output.endsWith('srst cold reboot: 0\n')).toBe(true);
  });
});

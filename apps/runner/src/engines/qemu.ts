import { spawn } from 'node:child_process';
import { hostEngine, type Engine } from './engine.js';
import { which } from './which.js';

/** Wall-clock limit of one QEMU run; a guest past it is killed and reported. */
const TIME_LIMIT_MS = 120_000;

/**
 * QEMU's TCG (`qemu-system-riscv32 -M virt -bios none -kernel IMAGE`) on the bare-metal image:
 * the real peer of the lab's interpreter and translator. The guest exits through the sifive_test
 * finisher, whose status QEMU passes on as its own exit status.
 */
export function qemuEngine(): Engine {
  const qemu = which('qemu-system-riscv32');
  return hostEngine({
    name: 'qemu',
    description: 'QEMU TCG (qemu-system-riscv32 -M virt) on the rv32-bare image',
    target: 'rv32-bare',
    unavailable: qemu === undefined ? 'qemu-system-riscv32 not found (Debian: apt-get install qemu-system-misc)' : undefined,
    execute(image) {
      return new Promise((resolve, reject) => {
        const child = spawn(
          qemu!,
          ['-M', 'virt', '-m', '128M', '-bios', 'none', '-kernel', image.path, '-display', 'none', '-serial', 'stdio', '-monitor', 'none'],
          { stdio: ['pipe', 'pipe', 'pipe'] },
        );
        // Keep stdin open until QEMU exits: at EOF on stdin, QEMU 7.2's stdio chardev now and then
        // drops serial output.
        child.stdin.on('error', () => undefined);
        const out: Buffer[] = [];
        let err = '';
        child.stdout.on('data', (b: Buffer) => out.push(b));
        child.stderr.on('data', (b: Buffer) => (err += b.toString()));
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, TIME_LIMIT_MS);
        child.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          child.stdin.destroy();
          const output = Buffer.concat(out).toString('latin1');
          if (timedOut) resolve({ output, exitCode: -1, stop: 'aborted' });
          else if (code === null) reject(new Error(`qemu killed by ${signal ?? 'a signal'}: ${err.trim()}`));
          else resolve({ output, exitCode: code });
        });
      });
    },
  });
}

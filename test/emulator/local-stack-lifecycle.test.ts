/**
 * The local stack as a newcomer meets it: it says what to install when moto
 * is missing, and Ctrl-C stops everything it started.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';

const tsx = ['--import', 'tsx'];

function portIsOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('the local stack', () => {
  it('stops with a message that says what to install when Python or moto is missing', () => {
    const result = spawnSync(process.execPath, [...tsx, '-e', "import('./local/stack.ts').then((m) => m.checkPrerequisites())"], {
      encoding: 'utf8',
      env: { PATH: '/nonexistent' },
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/pip install "moto\[server\]/);
  });

  it('stops moto and its servers on Ctrl-C', async () => {
    const child = spawn(process.execPath, [...tsx, 'bin/remediate.ts', 'local'], { env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "local stack is up" within 60 s: ${out}`)), 60_000);
      child.stdout.on('data', () => {
        if (out.includes('local stack is up')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const ports = [...out.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
    expect(ports.length).toBeGreaterThanOrEqual(3);
    for (const port of ports) expect(await portIsOpen(port)).toBe(true);

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    for (const port of ports) expect(await portIsOpen(port), `port ${port} still open`).toBe(false);
  });
});

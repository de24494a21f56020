import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess } from '../../bench/server-process.ts';

let server: ServerProcess | undefined;
afterEach(async () => {
  await server?.stop('SIGKILL');
  server = undefined;
});

function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves with ms until the server closes the socket, or null if it is still open after `ms`. */
function closedWithin(socket: Socket, ms: number): Promise<number | null> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    socket.on('data', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(performance.now() - t0);
    });
  });
}

async function healthy(url: string): Promise<boolean> {
  const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) });
  return res.ok;
}

describe('connections', () => {
  it('closes a connection whose body does not arrive within the request timeout', async () => {
    server = await startServerProcess({
      GRADUS_REQUEST_TIMEOUT_MS: '1500',
      GRADUS_HEADERS_TIMEOUT_MS: '1000',
    });
    const socket = await open(server.url);
    socket.write(
      'POST /v1/reward HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"items"',
    );
    const closed = await closedWithin(socket, 8000);
    socket.destroy();
    expect(closed).not.toBeNull();
    expect(await healthy(server.url)).toBe(true);
  });

  it('refuses connections past the cap and serves again once they close', async () => {
    server = await startServerProcess({ GRADUS_MAX_CONNECTIONS: '4' });
    const sockets = await Promise.all(Array.from({ length: 12 }, () => open(server?.url as string)));
    const closed = await Promise.all(sockets.map((s) => closedWithin(s, 1500)));
    expect(closed.filter((ms) => ms !== null).length).toBe(8);
    for (const s of sockets) s.destroy();
    await new Promise((r) => setTimeout(r, 200));
    expect(await healthy(server.url)).toBe(true);
  });
});

describe('shutdown', () => {
  it('exits within the shutdown bound after SIGTERM, even with items still running', async () => {
    server = await startServerProcess({ GRADUS_SHUTDOWN_MS: '3000' });
    const spin = {
      task: 'code',
      response: '```python\nwhile True:\n    pass\n```',
      ground_truth: { inputs: ['', ''], outputs: ['1\n', '1\n'] },
      options: { timeLimitS: 10 },
    };
    const honest = { task: 'math', response: '\\boxed{2}', ground_truth: '2' };
    const load = [spin, ...Array(20).fill(honest)].map((item) =>
      fetch(`${server?.url}/v1/reward`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items: [item] }),
      }).then(
        (r) => r.status,
        () => 0,
      ),
    );
    await new Promise((r) => setTimeout(r, 1000));
    const exitedAfter = await server.stop('SIGTERM', 10_000);
    expect(exitedAfter).not.toBeNull();
    expect(exitedAfter as number).toBeLessThan(3000 + 2000);
    await Promise.all(load);
  });

  it('exits promptly after SIGTERM when idle', async () => {
    server = await startServerProcess();
    expect(await healthy(server.url)).toBe(true);
    const exitedAfter = await server.stop('SIGTERM', 10_000);
    expect(exitedAfter).not.toBeNull();
    expect(exitedAfter as number).toBeLessThan(5000);
  });
});

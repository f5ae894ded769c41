import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeServer } from '../../../../test/harness/index.js';
import { NodeHttpTransport } from './node-transport.js';
import type { HttpMethod } from './transport.js';

let server: Server | undefined;
let transport: NodeHttpTransport | undefined;
afterEach(async () => {
  transport?.close();
  if (server !== undefined) await closeServer(server);
  server = undefined;
});

/** A server answering by path; counts the connections it accepted. */
async function start(): Promise<{ base: string; connections: Socket[] }> {
  const connections: Socket[] = [];
  server = createServer((req, res) => {
    if (req.url === '/endless') {
      res.writeHead(200);
      const timer = setInterval(() => res.write(Buffer.alloc(16 * 1024)), 1);
      res.on('close', () => {
        clearInterval(timer);
      });
      return;
    }
    if (req.url === '/hang') return;
    const body = req.url === '/missing' ? '{"errors":[{"code":"NOT_FOUND"}]}' : 'ok';
    res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.on('connection', (socket) => connections.push(socket));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, connections };
}

describe('the node:http transport', () => {
  it('reuses one keep-alive connection for answers that are discarded unread', async () => {
    const { base, connections } = await start();
    transport = new NodeHttpTransport();
    for (const [method, path] of [
      ['HEAD', '/ok'],
      ['GET', '/missing'],
      ['GET', '/ok'],
    ] as [HttpMethod, string][]) {
      for (let i = 0; i < 5; i++) {
        const response = await transport.send({
          method,
          url: new URL(path, base),
          headers: {},
          idleTimeoutMs: 2000,
        });
        response.discard();
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    expect(connections).toHaveLength(1);
  });

  it('cuts off an endless body on discard instead of draining it', async () => {
    const { base, connections } = await start();
    transport = new NodeHttpTransport();
    const response = await transport.send({
      method: 'GET',
      url: new URL('/endless', base),
      headers: {},
      idleTimeoutMs: 2000,
    });
    response.discard();
    await new Promise((resolve) => connections[0]?.once('close', resolve));
    expect(connections[0]?.destroyed).toBe(true);
  });

  it('fails with ABORTED when the caller aborts', async () => {
    const { base } = await start();
    transport = new NodeHttpTransport();
    const controller = new AbortController();
    const pending = transport.send({
      method: 'GET',
      url: new URL('/hang', base),
      headers: {},
      idleTimeoutMs: 10_000,
      signal: controller.signal,
    });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('fails with NETWORK naming the URL when nothing listens', async () => {
    transport = new NodeHttpTransport();
    await expect(
      transport.send({
        method: 'GET',
        url: new URL('http://127.0.0.1:1/v2/'),
        headers: {},
        idleTimeoutMs: 2000,
      }),
    ).rejects.toMatchObject({
      code: 'NETWORK',
      message: expect.stringContaining('GET http://127.0.0.1:1/v2/') as string,
    });
  });
});

/** The Bot API client's HTTP transport (src/bot/bot-api-fetch.ts) against a real local server. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botApiFetch } from '../../src/bot/bot-api-fetch.js';

describe('Bot API transport', () => {
  let server: http.Server;
  let root: string;
  const agent = new http.Agent({ keepAlive: true });
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if (req.url === '/echo') return res.end(JSON.stringify({ ok: true, result: { method: req.method, type: req.headers['content-type'], body } }));
        if (req.url === '/html') return res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>');
        if (req.url === '/cut') {
          res.writeHead(200, { 'content-length': '100' });
          res.write('{"ok":tr');
          return setTimeout(() => res.socket?.destroy(), 10);
        }
        if (req.url === '/slow') return setTimeout(() => res.end('{"ok":true,"result":1}'), 5_000);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    agent.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('posts a JSON body and reads the JSON answer, over a kept-alive connection', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await botApiFetch(`${root}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"chat_id":1}', agent });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true, result: { method: 'POST', type: 'application/json', body: '{"chat_id":1}' } });
    }
  });

  it('streams a multipart body', async () => {
    const parts = ['--b\r\n', 'content-disposition: form-data; name="video"\r\n\r\n', 'x'.repeat(100_000), '\r\n--b--\r\n'];
    const res = await botApiFetch(`${root}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
      body: Readable.from(parts),
      agent,
    });
    const { result } = (await res.json()) as { result: { body: string } };
    expect(result.body).toBe(parts.join(''));
  });

  it('rejects a non-JSON answer, an answer cut off, a refused connection and an abort', async () => {
    await expect((await botApiFetch(`${root}/html`, { method: 'POST', agent })).json()).rejects.toThrow();
    await expect(botApiFetch(`${root}/cut`, { method: 'POST', agent }).then((r) => r.json())).rejects.toThrow();
    await expect(botApiFetch('http://127.0.0.1:1/x', { method: 'POST' })).rejects.toThrow();
    const controller = new AbortController();
    const slow = botApiFetch(`${root}/slow`, { method: 'POST', signal: controller.signal, agent });
    setTimeout(() => controller.abort(), 50);
    await expect(slow).rejects.toMatchObject({ name: 'AbortError' });
    controller.abort();
    await expect(botApiFetch(`${root}/echo`, { method: 'POST', signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

/**
 * A fake Meta Graph API on 127.0.0.1 for Lead Ads: `GET /v21.0/{leadgen_id}?access_token=` answers
 * the lead as Graph does, `400 {error:{code:190}}` for a wrong token (OAuthException), and
 * `400 {error:{code:100}}` for an unknown id, Graph's "object does not exist". Leads are registered
 * with POST /__control/leads {id, lead}.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGraph {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startFakeGraph(options: { pageToken: string; port?: number }): Promise<FakeGraph> {
  const leads = new Map<string, unknown>();
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === '/__control/leads' && request.method === 'POST') {
      const { id, lead } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        id: string;
        lead: unknown;
      };
      leads.set(id, lead);
      return reply(204, {});
    }
    const match = /^\/v\d+\.\d+\/([^/]+)$/.exec(url.pathname);
    if (!match || request.method !== 'GET')
      return reply(404, { error: { message: 'Unknown path', code: 803 } });
    if (url.searchParams.get('access_token') !== options.pageToken) {
      return reply(400, {
        error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190 },
      });
    }
    const lead = leads.get(decodeURIComponent(match[1] ?? ''));
    if (!lead)
      return reply(400, {
        error: { message: 'Unsupported get request.', type: 'GraphMethodException', code: 100 },
      });
    return reply(200, lead);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v21.0`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

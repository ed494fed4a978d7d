import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Result } from './scenario-files';

/** Reads a request body as text, refusing more than `limit` bytes. */
export function readBody(req: IncomingMessage, limit = 1 << 20): Promise<Result<string>> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => resolve(size > limit ? { ok: false, error: `body over ${limit} bytes` } : { ok: true, value: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', (e) => resolve({ ok: false, error: e.message }));
  });
}

/** Reads a JSON body; an empty body is `{}`. */
export async function readJson(req: IncomingMessage): Promise<Result<unknown>> {
  const body = await readBody(req);
  if (!body.ok) return body;
  if (body.value.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(body.value) };
  } catch (e) {
    return { ok: false, error: `body is not JSON: ${(e as Error).message}` };
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers }).end(JSON.stringify(body));
}

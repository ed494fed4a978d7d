import WebSocket from 'ws';
import { serverFrame, type ServerFrame } from '../../../utils/connectors/json-protocol';

/** A frame as received plus whether it validated against the protocol schema. */
export interface Received {
  raw: string;
  frame?: ServerFrame;
}

/** Collects frames from a stream and lets a test wait for the n-th one or one that matches. */
export function frameCollector() {
  const received: Received[] = [];
  const waiters: (() => void)[] = [];
  return {
    received,
    push(raw: string) {
      const json = (() => { try { return JSON.parse(raw) as unknown; } catch { return undefined; } })();
      const parsed = serverFrame.safeParse(json);
      received.push({ raw, ...(parsed.success ? { frame: parsed.data } : {}) });
      for (const w of waiters.splice(0)) w();
    },
    frames: () => received.flatMap((r) => (r.frame ? [r.frame] : [])),
    async until(pred: (frames: ServerFrame[]) => boolean, timeoutMs = 2000): Promise<ServerFrame[]> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const frames = received.flatMap((r) => (r.frame ? [r.frame] : []));
        if (pred(frames)) return frames;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out; got ${JSON.stringify(frames.map((f) => f.type === 'call' ? `${f.event}:${f.users.join()}` : f.type))}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => { clearTimeout(t); resolve(); });
        });
      }
    },
  };
}

export async function openWs(url: string) {
  const ws = new WebSocket(url);
  const collector = frameCollector();
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on('message', (d) => collector.push(d.toString()));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return { ws, ...collector, closed, send: (f: unknown) => ws.send(JSON.stringify(f)) };
}

/** Reads an SSE response with fetch; records `id:` per event and the data as frames. */
export async function openSse(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  const collector = frameCollector();
  const ids: (string | undefined)[] = [];
  const lines: string[] = [];
  if (res.ok && res.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buf = '';
      let id: string | undefined;
      let data: string[] = [];
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true });
          let nl: number;
          while ((nl = buf.indexOf('\n')) !== -1) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            lines.push(line);
            if (line === '') {
              if (data.length) {
                ids.push(id);
                collector.push(data.join('\n'));
              }
              id = undefined;
              data = [];
            } else if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
        }
      } catch {
        // aborted by the test
      }
    })();
  }
  return { res, ...collector, ids, lines, close: () => controller.abort() };
}

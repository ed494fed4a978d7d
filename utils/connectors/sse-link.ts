import type { Link, LinkSink } from './link';
import { createSseParser } from './sse-parser';

const MAX_PENDING = 512 * 1024;

/**
 * Server-Sent Events over `fetch` rather than EventSource: service workers have no EventSource,
 * and fetch lets the token travel in an Authorization header and the resume point in
 * Last-Event-ID instead of the URL.
 */
export function openSse(url: string, opts: { token: string; lastEventId?: string; fetch: typeof fetch }, sink: LinkSink): Link {
  const abort = new AbortController();
  let done = false;
  const finish = (reason: string) => {
    if (done) return;
    done = true;
    abort.abort();
    sink.closed(reason);
  };
  void (async () => {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.lastEventId) headers['last-event-id'] = opts.lastEventId;
    let response: Response;
    try {
      response = await opts.fetch(url, { headers, signal: abort.signal, cache: 'no-store', credentials: 'omit' });
    } catch (error) {
      return finish(`cannot reach the event stream: ${(error as Error).message}`);
    }
    if (response.status === 401 || response.status === 403) return finish('the server refused the credentials');
    if (!response.ok || !response.body) return finish(`the event stream answered HTTP ${response.status}`);
    if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) return finish('the URL does not serve an event stream (wrong content type)');
    sink.opened();
    const parser = createSseParser((e) => !done && sink.frame(e.data, e.id), () => !done && sink.frame('{"type":"heartbeat","at":0}'));
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        parser.push(value);
        if (parser.pending() > MAX_PENDING) return finish('the server sent a line longer than 512 KiB');
      }
      finish('the server ended the event stream');
    } catch (error) {
      finish(done ? 'closed' : `the event stream broke: ${(error as Error).message}`);
    }
  })();
  return { send: () => false, close: () => { done = true; abort.abort(); } };
}

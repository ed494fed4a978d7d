import type { Link, LinkSink } from './link';

type WebSocketLike = {
  readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number): void;
};
export type WebSocketCtor = new (url: string) => WebSocketLike;

const OPEN = 1;

/** A WebSocket link; the constructor is injected so Node tests can use the `ws` package. */
export function openWebSocket(url: string, sink: LinkSink, Ctor: WebSocketCtor): Link {
  let done = false;
  const finish = (reason: string) => {
    if (done) return;
    done = true;
    sink.closed(reason);
  };
  let ws: WebSocketLike;
  try {
    ws = new Ctor(url);
  } catch (error) {
    queueMicrotask(() => finish(`cannot open the WebSocket: ${(error as Error).message}`));
    return { send: () => false, close: () => finish('closed') };
  }
  ws.onopen = () => sink.opened();
  ws.onmessage = (ev) => {
    if (!done && typeof ev.data === 'string') sink.frame(ev.data);
  };
  // Browsers hide why a WebSocket failed (no status, no message) for security; the close code is all we get.
  ws.onerror = () => undefined;
  ws.onclose = (ev) => finish(closeReason(ev.code, ev.reason));
  return {
    send(text) {
      if (done || ws.readyState !== OPEN) return false;
      ws.send(text);
      return true;
    },
    close() {
      if (done) return;
      done = true;
      try {
        ws.close(1000);
      } catch {
        // already closing
      }
    },
  };
}

function closeReason(code: number, reason: string): string {
  if (code === 4401) return 'the server refused the credentials';
  if (code === 1006) return 'the connection failed or dropped (server unreachable, TLS or network problem)';
  return `the server closed the connection (code ${code}${reason ? `: ${reason}` : ''})`;
}

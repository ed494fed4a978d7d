export interface SseEvent {
  data: string;
  id?: string;
  event?: string;
}

/**
 * Incremental Server-Sent Events parser (the WHATWG event-stream rules): feed text chunks as they
 * arrive, get complete events. Comments (heartbeats) are reported as `comment` so a watchdog can
 * count them as traffic.
 */
export function createSseParser(onEvent: (e: SseEvent) => void, onComment: () => void = () => undefined) {
  let buffer = '';
  let data: string[] = [];
  let id: string | undefined;
  let event: string | undefined;
  let lastId: string | undefined;
  let retry: number | undefined;

  function line(text: string) {
    if (text === '') {
      if (data.length) {
        if (id !== undefined) lastId = id;
        onEvent({ data: data.join('\n'), id: lastId, event });
      }
      data = [];
      event = undefined;
      id = undefined;
      return;
    }
    if (text.startsWith(':')) return onComment();
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'id' && !value.includes('\0')) id = value;
    else if (field === 'event') event = value;
    else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
  }

  return {
    push(chunk: string) {
      buffer += chunk;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer[i];
        if (c !== '\n' && c !== '\r') continue;
        line(buffer.slice(start, i));
        if (c === '\r' && buffer[i + 1] === '\n') i++;
        start = i + 1;
      }
      buffer = buffer.slice(start);
    },
    lastEventId: () => lastId,
    retry: () => retry,
    /** Bytes waiting for a line end: lets the caller bound a server that never ends a line. */
    pending: () => buffer.length,
  };
}

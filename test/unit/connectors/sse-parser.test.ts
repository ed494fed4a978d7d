import { describe, expect, it } from 'vitest';
import { createSseParser, type SseEvent } from '@/utils/connectors/sse-parser';

describe('SSE parser', () => {
  it('assembles events split across chunks, with ids, multi-line data, CRLF and comments', () => {
    const events: SseEvent[] = [];
    let comments = 0;
    const p = createSseParser((e) => events.push(e), () => comments++);
    p.push(': heartbeat\n\nid: 4\nda');
    p.push('ta: {"a":1}\r\n\r\ndata: line1\ndata: line2\n');
    expect(events).toEqual([{ data: '{"a":1}', id: '4', event: undefined }]);
    p.push('\nretry: 3000\nevent: x\ndata:nospace\n\n');
    expect(events.slice(1)).toEqual([{ data: 'line1\nline2', id: '4', event: undefined }, { data: 'nospace', id: '4', event: 'x' }]);
    expect(p.lastEventId()).toBe('4');
    expect(p.retry()).toBe(3000);
    expect(comments).toBe(1);
  });

  it('reports how much is buffered without a line end', () => {
    const p = createSseParser(() => undefined);
    p.push('data: ' + 'x'.repeat(100));
    expect(p.pending()).toBe(106);
  });
});

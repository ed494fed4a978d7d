import { describe, expect, it } from 'vitest';
import { resumePlan } from '@/bridge/resume-plan';
import { createClientRegistry, type StreamClient } from '@/bridge/protocol/stream-clients';
import type { CallFrame, ServerFrame } from '@/utils/connectors/json-protocol';

const STREAM = 'CTIPOP.1700000000000';

describe('resumePlan (an edge answering resume)', () => {
  it('resumes within what the edge keeps, replaying after the point', () => {
    expect(resumePlan({ resume: { token: STREAM, lastEventId: '120' }, streamToken: STREAM, keptFrom: 100, lastSeq: 150 })).toEqual({ resumed: true, from: 120 });
    expect(resumePlan({ resume: { lastEventId: '99' }, streamToken: STREAM, keptFrom: 100, lastSeq: 150 })).toEqual({ resumed: true, from: 99 });
  });

  it('resumes a client that got further on another edge, holding back what it already has', () => {
    expect(resumePlan({ resume: { token: STREAM, lastEventId: '2000' }, streamToken: STREAM, keptFrom: 1, lastSeq: 1000 })).toEqual({ resumed: true, from: 2000, after: 2000 });
  });

  it('sends a snapshot for no point, another stream, a point older than what is kept, or junk', () => {
    for (const resume of [undefined, { token: 'CTIPOP.1', lastEventId: '120' }, { token: STREAM, lastEventId: '98' }, { token: STREAM, lastEventId: 'abc' }, { token: STREAM, lastEventId: '1e3' }]) {
      expect(resumePlan({ resume, streamToken: STREAM, keptFrom: 100, lastSeq: 150 })).toEqual({ resumed: false });
    }
  });
});

describe('client registry broadcast', () => {
  it('does not send a resumed client the frames at or before its point', () => {
    const registry = createClientRegistry({ heartbeatMs: 0, now: () => 0 });
    const got: string[] = [];
    const client: StreamClient = {
      transport: 'ws',
      principal: { name: 'alice', users: ['PJSIP/100'], after: 11 },
      connectedAt: 0,
      write: (frame: ServerFrame) => void got.push((frame as CallFrame).id),
      writeRaw: () => undefined,
      refuse: () => undefined,
      destroy: () => undefined,
    };
    registry.add(client);
    for (const id of ['10', '11', '12', '13']) registry.broadcast({ type: 'call', id, event: 'ringing', callId: 'c1', at: 0, users: ['PJSIP/100'] } as CallFrame);
    expect(got).toEqual(['12', '13']);
    registry.close();
  });
});

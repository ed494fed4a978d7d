import { afterEach, describe, expect, it, vi } from 'vitest';
import { createControlRoundTrip } from '@/utils/connectors/json-control';
import type { ClientFrame } from '@/utils/connectors/json-protocol';

const route = { set: { accountcode: 'ACME' }, route: { type: 'queue' as const, name: 'vip' }, break: false };

describe('createControlRoundTrip', () => {
  afterEach(() => vi.useRealTimers());

  it('sends a control frame with a fresh ref and resolves with the matching control-result', async () => {
    const sent: ClientFrame[] = [];
    const rt = createControlRoundTrip((f) => (sent.push(f), true));
    const first = rt.request('call-1', route);
    const second = rt.request('call-2', route);
    expect(sent.map((f) => f.type === 'control' && [f.ref, f.callId])).toEqual([['c1', 'call-1'], ['c2', 'call-2']]);
    rt.settle({ ref: 'c2', ok: false, reason: 'call has ended' });
    rt.settle({ ref: 'c1', ok: true });
    expect(await first).toEqual({ ok: true });
    expect(await second).toEqual({ ok: false, reason: 'call has ended' });
  });

  it('fails at once when the link is down, and after the ack time when the server is silent', async () => {
    expect(await createControlRoundTrip(() => false).request('x', route)).toEqual({ ok: false, reason: 'not connected to the PBX' });
    vi.useFakeTimers();
    const pending = createControlRoundTrip(() => true, 3000).request('x', route);
    vi.advanceTimersByTime(3000);
    expect(await pending).toEqual({ ok: false, reason: 'the PBX did not acknowledge within 3 s' });
  });

  it('sends nothing for a reply with nothing to apply', async () => {
    const sent: ClientFrame[] = [];
    expect(await createControlRoundTrip((f) => (sent.push(f), true)).request('x', { set: {}, route: null, break: false })).toEqual({ ok: true });
    expect(sent).toEqual([]);
  });
});

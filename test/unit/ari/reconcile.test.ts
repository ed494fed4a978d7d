import { describe, expect, it } from 'vitest';
import type { CallEvent } from '../../../utils/calls/call-event';
import { createAriTranslator } from '../../../utils/connectors/ari-translate';
import type { AriFrame } from '../../sim/ari/frame-builders';
import { framesOf, outline, scenarioFile, START, traceFrames } from './helpers';

/** What GET /ari/channels would answer after these frames: every channel's latest snapshot, minus the destroyed. */
function channelsAfter(frames: AriFrame[]): unknown[] {
  const live = new Map<string, unknown>();
  for (const f of frames) {
    for (const key of ['channel', 'caller', 'peer']) {
      const c = f[key] as { id?: string } | undefined;
      if (c?.id) live.set(c.id, c);
    }
    if (f.type === 'ChannelDestroyed') live.delete((f.channel as { id: string }).id);
  }
  return [...live.values()];
}

const frames = () => framesOf(scenarioFile('inbound-answered'));
const upTo = (ms: number) => frames().filter((x) => x.at - START <= ms).map((x) => x.frame);
const after = (ms: number) => frames().filter((x) => x.at - START > ms).map((x) => x.frame);

describe('ARI translator after a reconnect (GET /ari/channels)', () => {
  it('disconnected while ringing, back while talking: answered comes from the channel list, ended from the stream', () => {
    const t = createAriTranslator({ endpoints: ['PJSIP/100'], now: () => START + 6000 });
    const before = upTo(200).flatMap((f) => t.handle(f));
    const missed = upTo(6000).slice(upTo(200).length);
    const reconciled = t.reconcile(channelsAfter([...upTo(200), ...missed]));
    const rest = after(6000).flatMap((f) => t.handle(f));
    expect(outline(before)).toEqual(['offered inbound +15551234567 @100', 'ringing @100']);
    expect(outline(reconciled)).toEqual(['answered @6000']);
    expect(outline(rest)).toEqual(['ended 16 @11100']);
    expect(new Set([...before, ...reconciled, ...rest].map((e) => e.callId)).size).toBe(1);
  });

  it('a call that ended while disconnected ends, cause unknown', () => {
    const t = createAriTranslator({ endpoints: ['PJSIP/100'], now: () => START + 20_000 });
    upTo(6000).forEach((f) => t.handle(f));
    expect(outline(t.reconcile([]))).toEqual(['ended - @20000']);
    expect(t.activeCalls()).toEqual([]);
  });

  it('a fresh translator learns a call in progress: offered with the caller from connected, then answered', () => {
    const t = createAriTranslator({ endpoints: ['PJSIP/100'], now: () => START + 6000 });
    const events = t.reconcile(channelsAfter(upTo(6000)));
    expect(outline(events)).toEqual(['offered inbound +15551234567 @6000', 'answered @6000']);
    expect(events[0]?.type === 'offered' && events[0].variables).toMatchObject({ calleridname: 'Carol Customer', direction: 'inbound', did: '' });
    expect(outline(after(6000).flatMap((f) => t.handle(f)))).toEqual(['ended 16 @11100']);
  });

  it('a fresh translator learns an outbound call the user is placing', () => {
    const s = framesOf(scenarioFile('outbound'));
    const t = createAriTranslator({ endpoints: ['PJSIP/100'], now: () => START + 1000 });
    const list = channelsAfter(s.filter((x) => x.at - START <= 1000).map((x) => x.frame));
    expect(outline(t.reconcile(list))).toEqual(['offered outbound 100 @1000']);
  });

  it('reconciling twice says nothing new; malformed list entries are counted', () => {
    const t = createAriTranslator({ endpoints: ['PJSIP/100'], now: () => START + 6000 });
    const list = channelsAfter(upTo(6000));
    t.reconcile(list);
    expect(t.reconcile([...list, { id: 42 }, null])).toEqual([]);
    expect(t.stats().malformed).toBe(2);
  });

  it('a call found ringing in the channel list has the id it has live, whether the phone rang before or after its Dial', () => {
    // Two bridge ingests publish the same events under ids made from the call id: one restarted
    // mid-call reconciles, the other followed the call live; different ids made the call twice.
    const trace = traceFrames('a_inbound_answered_caller_hangup') as AriFrame[];
    const ringing = trace.findIndex((f) => f.type === 'ChannelStateChange' && (f.channel as { state: string }).state === 'Ringing');
    const dialFirst = trace.slice(0, ringing + 1);
    const isDial = (f: AriFrame) => f.type === 'Dial';
    const ringFirst = [...dialFirst.filter((f) => !isDial(f)), ...dialFirst.filter(isDial)];
    const idOf = (events: CallEvent[]) => events.find((e) => e.type === 'offered')?.callId;
    const live = (order: AriFrame[]) => {
      const t = createAriTranslator({ endpoints: ['PJSIP/100'], trunks: ['PJSIP/pstn'] });
      return idOf(order.flatMap((f) => t.handle(JSON.stringify(f))));
    };
    const found = idOf(createAriTranslator({ endpoints: ['PJSIP/100'], trunks: ['PJSIP/pstn'] }).reconcile(channelsAfter(dialFirst)));
    expect(found).toBeDefined();
    expect({ dialFirst: live(dialFirst), ringFirst: live(ringFirst) }).toEqual({ dialFirst: found, ringFirst: found });
  });

  it('does not guess when two calls from one number ring at once: a phone rung before its Dial keeps its own id', () => {
    const trace = traceFrames('a_inbound_answered_caller_hangup') as AriFrame[];
    const ringing = trace.findIndex((f) => f.type === 'ChannelStateChange' && (f.channel as { state: string }).state === 'Ringing');
    const phone = (trace[ringing]!.channel as { id: string }).id;
    const isDial = (f: AriFrame) => f.type === 'Dial';
    const head = trace.slice(0, ringing + 1);
    // The same caller (a company's shared caller ID) on a second trunk channel, ringing elsewhere.
    const first = trace[0]!;
    const twin = { ...first, channel: { ...(first.channel as object), id: '1795823036.99', name: 'PJSIP/pstn-000000ff' } } as AriFrame;
    const t = createAriTranslator({ endpoints: ['PJSIP/100'], trunks: ['PJSIP/pstn'] });
    const events = [twin, ...head.filter((f) => !isDial(f))].flatMap((f) => t.handle(JSON.stringify(f)));
    expect(events.find((e) => e.type === 'offered')?.callId).toBe(phone);
  });
});

describe('ARI translator snapshot', () => {
  it('a restarted background picks up mid-call from a JSON snapshot and says only what is new', () => {
    const all = frames().map((x) => x.frame);
    const whole = createAriTranslator({ endpoints: ['PJSIP/100'] });
    const expected = all.flatMap((f) => whole.handle(f));
    for (const cut of [20, 30, 45, 60]) {
      const first = createAriTranslator({ endpoints: ['PJSIP/100'] });
      const a = all.slice(0, cut).flatMap((f) => first.handle(f));
      const saved = JSON.parse(JSON.stringify(first.snapshot())) as unknown;
      const second = createAriTranslator({ endpoints: ['PJSIP/100'] });
      expect(second.restore(saved)).toEqual({ ok: true });
      const b = all.slice(cut).flatMap((f) => second.handle(f));
      expect([...a, ...b]).toEqual(expected);
    }
  });

  it('refuses a corrupt snapshot and keeps its state', () => {
    const t = createAriTranslator({ endpoints: ['PJSIP/100'] });
    upTo(200).forEach((f) => t.handle(f));
    const r = t.restore({ v: 1, channels: 'nope' });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.error).toMatch(/snapshot ignored/);
    expect(t.activeCalls()).toHaveLength(1);
  });
});

describe('ARI translator robustness', () => {
  it('counts malformed frames and never throws', () => {
    const t = createAriTranslator({ endpoints: ['PJSIP/100'] });
    const garbage: unknown[] = [
      null, 42, 'not json', '[1,2]', [], {}, { type: 7 }, { type: 'Dial' }, { type: 'ChannelCreated', channel: { id: 5 } },
      { type: 'ChannelStateChange', channel: 'x' }, 'x'.repeat(300 * 1024), { type: 'StasisStart', channel: null, args: 'a' },
    ];
    for (const g of garbage) expect(t.handle(g)).toEqual([]);
    expect(t.stats()).toMatchObject({ frames: garbage.length, malformed: garbage.length });
    // The calls still work afterwards.
    expect(frames().flatMap((x) => t.handle(x.frame)).map((e) => e.type)).toEqual(['offered', 'ringing', 'answered', 'ended']);
  });

  it('ignores unknown event types without counting them as malformed', () => {
    const t = createAriTranslator({ endpoints: ['PJSIP/100'] });
    expect(t.handle({ type: 'SomethingNew', x: 1 })).toEqual([]);
    expect(t.stats()).toMatchObject({ ignored: 1, malformed: 0 });
  });

  it('does not take the cheap path for a frame whose user-defined data merely mentions ChannelVarset', () => {
    const t = createAriTranslator({ endpoints: ['PJSIP/100'] });
    const f = JSON.stringify({ type: 'ChannelUserevent', eventname: 'x', userevent: { type: 'ChannelVarset' }, application: 'cti', timestamp: '' });
    t.handle(f);
    expect(t.stats()).toMatchObject({ ignored: 1, malformed: 0 });
  });
});

import { describe, expect, it, vi } from 'vitest';
import { emptyBook, type CallBook } from '@/utils/calls/call-book';
import type { CallEvent } from '@/utils/calls/call-event';
import type { LookupResult } from '@/utils/lookup/lookup-runner';
import { createEngine, type ReplyActions } from '@/utils/engine/cti-engine';
import { settingsSchema, type SettingsInput } from '@/utils/settings/schema';

const CRM = 'https://crm.example';

function setup(input: SettingsInput, replies: Record<string, LookupResult | Promise<LookupResult>> = {}, book: CallBook = emptyBook(), clock = { now: 5 }, popGate: Promise<void> = Promise.resolve()) {
  const settings = settingsSchema.parse(input);
  const log = { lookups: [] as string[], timeouts: [] as number[], pops: [] as string[], posts: [] as { key: string; url: string }[], controls: [] as ReplyActions[], saved: [] as CallBook[], steps: [] as string[] };
  const engine = createEngine(
    {
      settings: () => settings,
      now: () => clock.now,
      lookup: async (url, timeoutMs) => {
        log.lookups.push(url);
        log.timeouts.push(timeoutMs);
        const path = new URL(url).pathname;
        return replies[path] ?? { outcome: 'ok', status: 200, ms: 1, body: '' };
      },
      pop: async (_call, url) => {
        await popGate;
        log.pops.push(url);
        log.steps.push('pop');
      },
      queuePostCall: async (key, url) => void log.posts.push({ key, url }),
      control: async (_id, actions) => (log.controls.push(actions), { ok: true }),
      saveBook: async (b) => {
        log.saved.push(b);
        log.steps.push(`save popped=${b.popped.join(',')}`);
      },
      onEnded: () => undefined,
      onChange: () => undefined,
    },
    book,
  );
  return { engine, log };
}

const call = (id = 'c1'): CallEvent[] => [
  { type: 'offered', callId: id, at: 1_000, direction: 'inbound', variables: { calleridnumber: '+4930123456', calleridname: 'Hans', exten: '100' } },
  { type: 'ringing', callId: id, at: 1_100 },
  { type: 'answered', callId: id, at: 3_100 },
  { type: 'ended', callId: id, at: 9_100, cause: 16 },
];
const reply = (xml: string): LookupResult => ({ outcome: 'ok', status: 200, ms: 3, body: xml });

async function play(engine: ReturnType<typeof setup>['engine'], events: CallEvent[]) {
  for (const e of events) await engine.handle(e);
  await engine.idle();
}

describe('CTI engine', () => {
  it('looks up before the pop, lets the reply rename the caller in the pop and the post-call record', async () => {
    const { engine, log } = setup(
      { cti: { inboundUrl: `${CRM}/lookup?n=%%calleridnumber%%`, popupUrl: `${CRM}/pop?name=%%calleridname%%&e164=%%calleridnumber_e164%%`, postCallUrl: `${CRM}/cdr?acc=%%accountcode%%&bill=%%billsec%%&disp=%%disposition%%&clid=%%clid%%` } },
      { '/lookup': reply('<ipbx><set><calleridname>Schmidt Bau</calleridname><accountcode>SCHMIDT-01</accountcode></set></ipbx>') },
    );
    await play(engine, call());
    expect(log.lookups).toEqual([`${CRM}/lookup?n=%2B4930123456`]);
    expect(log.pops).toEqual([`${CRM}/pop?name=Schmidt%20Bau&e164=%2B4930123456`]);
    expect(log.posts).toEqual([{ key: 'ctipop-c1-0', url: `${CRM}/cdr?acc=SCHMIDT-01&bill=6&disp=ANSWERED&clid=%22Schmidt%20Bau%22%20%3C%2B4930123456%3E` }]);
    expect(log.controls).toEqual([{ set: { calleridname: 'Schmidt Bau', accountcode: 'SCHMIDT-01' }, route: null, break: false }]);
    expect(engine.book().calls).toEqual({});
  });

  it('fails open: a lookup that times out delays nothing else and the call pops unchanged', async () => {
    const { engine, log } = setup(
      { cti: { inboundUrl: `${CRM}/lookup`, popupUrl: `${CRM}/pop?name=%%calleridname%%` } },
      { '/lookup': { outcome: 'timeout', ms: 2000, error: 'no answer within 2000 ms' } },
    );
    await play(engine, call().slice(0, 2));
    expect(log.pops).toEqual([`${CRM}/pop?name=Hans`]);
    expect(engine.activity('c1')?.lookups[0]).toMatchObject({ outcome: 'timeout', detail: 'no answer within 2000 ms' });
  });

  it('shows a lookup under way as pending, not as refused, until its answer comes', async () => {
    let answer: (r: LookupResult) => void = () => undefined;
    const pending = new Promise<LookupResult>((resolve) => (answer = resolve));
    const { engine } = setup({ cti: { inboundUrl: `${CRM}/lookup`, popupUrl: `${CRM}/pop` } }, { '/lookup': pending });
    const handled = Promise.all(call().slice(0, 2).map((e) => engine.handle(e)));
    await vi.waitFor(() => expect(engine.activity('c1')?.lookups[0]).toMatchObject({ outcome: 'pending' }));
    expect(engine.activity('c1')?.lookups[0]?.detail).toBeUndefined();
    answer(reply('<ipbx><set><calleridname>Schmidt Bau</calleridname></set></ipbx>'));
    await handled;
    await engine.idle();
    expect(engine.activity('c1')?.lookups[0]).toMatchObject({ outcome: 'ok' });
  });

  it('records a malformed reply as invalid with line and column, and applies nothing', async () => {
    const { engine, log } = setup({ cti: { inboundUrl: `${CRM}/lookup`, popupUrl: `${CRM}/pop?name=%%calleridname%%` } }, { '/lookup': reply('<ipbx><set>\n<calleridname>x</set></ipbx>') });
    await play(engine, call().slice(0, 2));
    expect(log.pops).toEqual([`${CRM}/pop?name=Hans`]);
    expect(engine.activity('c1')?.lookups[0]?.outcome).toBe('invalid');
    expect(engine.activity('c1')?.lookups[0]?.detail).toMatch(/line 2/);
  });

  it('pops exactly once for replayed events, and never again after a restart from the saved book', async () => {
    const { engine, log } = setup({ cti: { popupUrl: `${CRM}/pop` } });
    const events = call();
    await play(engine, [events[0]!, events[1]!, events[1]!, events[0]!]);
    expect(log.pops).toHaveLength(1);
    const restarted = setup({ cti: { popupUrl: `${CRM}/pop` } }, {}, JSON.parse(JSON.stringify(log.saved.at(-1))) as CallBook);
    await play(restarted.engine, [events[1]!, events[2]!]);
    expect(restarted.log.pops).toHaveLength(0);
  });

  it('honours do-not-disturb for pops but still queues the post-call record', async () => {
    const { engine, log } = setup({ cti: { popupUrl: `${CRM}/pop`, postCallUrl: `${CRM}/cdr?d=%%disposition%%` }, behaviour: { doNotDisturb: true } });
    await play(engine, call());
    expect(log.pops).toEqual([]);
    expect(log.posts).toHaveLength(1);
    expect(engine.activity('c1')?.pop.state).toBe('suppressed');
  });

  it('runs application rules in order and stops at a reply with break', async () => {
    const { engine, log } = setup(
      {
        cti: {
          applicationRules: [
            { type: 'queue', name: 'support', url: `${CRM}/q1?q=%%application%%` },
            { type: 'queue', url: `${CRM}/q2` },
            { type: 'queue', url: `${CRM}/q3` },
            { type: 'ivr', url: `${CRM}/ivr` },
          ],
        },
      },
      { '/q2': reply('<ipbx><route><type>queue</type><name>vip</name><break>1</break></route></ipbx>') },
    );
    await play(engine, [call()[0]!, { type: 'application', callId: 'c1', at: 1_050, application: { type: 'queue', name: 'support' } }]);
    expect(log.lookups).toEqual([`${CRM}/q1?q=support`, `${CRM}/q2`]);
    expect(log.controls.at(-1)).toEqual({ set: {}, route: { type: 'queue', name: 'vip' }, break: true, target: { context: 'ext-queues', exten: '{name}' } });
  });

  it('refuses a pop-up template that would leave its origin, and records why', async () => {
    const { engine, log } = setup({ cti: { popupUrl: 'https://%%calleridname%%/x' } });
    await play(engine, call().slice(0, 2));
    expect(log.pops).toEqual([]);
    expect(engine.activity('c1')?.pop.state).toBe('refused');
  });

  it('redoes the post-call step of a call that ended before its record was queued', async () => {
    const first = setup({ cti: { postCallUrl: `${CRM}/cdr` } });
    first.engine.handle(call()[0]!);
    await first.engine.handle(call()[3]!);
    // The worker dies here: the book says "ended" but the record was never handed to the outbox.
    const saved = JSON.parse(JSON.stringify(first.log.saved.find((b) => b.calls.c1?.state === 'ended'))) as CallBook;
    const second = setup({ cti: { postCallUrl: `${CRM}/cdr` } }, {}, saved);
    second.engine.resume();
    await second.engine.idle();
    expect(second.log.posts).toEqual([{ key: 'ctipop-c1-0', url: `${CRM}/cdr` }]);
  });

  it('writes the book once per event before a pop: the ringing event\'s write carries the popped flag', async () => {
    const { engine, log } = setup({ cti: { popupUrl: `${CRM}/pop` } });
    await play(engine, call().slice(0, 2));
    expect(log.steps).toEqual(['save popped=', 'save popped=c1', 'pop']);
    // A worker stopped right after that write comes back knowing the call popped: no second pop.
    const restarted = setup({ cti: { popupUrl: `${CRM}/pop` } }, {}, JSON.parse(JSON.stringify(log.saved[1])) as CallBook);
    await play(restarted.engine, call().slice(1, 3));
    expect(restarted.log.pops).toEqual([]);
  });

  it('starts the ringing event\'s write without waiting for the offered one, and pops only once its own write is done', async () => {
    const settings = settingsSchema.parse({ cti: { popupUrl: `${CRM}/pop` } });
    const steps: string[] = [];
    const writes: { popped: string[]; done: () => void }[] = [];
    const engine = createEngine({
      settings: () => settings, now: () => 5,
      lookup: async () => ({ outcome: 'ok', status: 200, ms: 1, body: '' }),
      pop: async () => void steps.push('pop'),
      queuePostCall: async () => undefined,
      saveBook: (b) => new Promise<void>((done) => writes.push({ popped: [...b.popped], done })),
      onEnded: () => undefined, onChange: () => undefined,
    }, emptyBook());
    const [offered, ringing] = call();
    const frame = () => new Promise((r) => setTimeout(r, 0)); // each event in a frame of its own
    const first = engine.handle(offered!);
    await frame();
    const handled = Promise.all([first, engine.handle(ringing!)]);
    await frame();
    // Both writes are under way at once, in event order; nothing has popped.
    expect(writes.map((w) => w.popped)).toEqual([[], ['c1']]);
    writes[1]!.done();
    await new Promise((r) => setTimeout(r, 5));
    expect(steps).toEqual([]); // the offered event's write is still open: its reactions come first
    writes[0]!.done();
    await handled;
    await engine.idle();
    expect(steps).toEqual(['pop']);
  });

  it('starts a lookup as its frame arrives, before the event is written, but keeps a call\'s steps in order', async () => {
    const settings = settingsSchema.parse({
      cti: { inboundUrl: `${CRM}/lookup`, popupUrl: `${CRM}/pop`, applicationRules: [{ type: 'queue', name: 'support', url: `${CRM}/queue` }] },
    });
    const steps: string[] = [];
    const writes: (() => void)[] = [];
    const engine = createEngine({
      settings: () => settings, now: () => 5,
      lookup: async (url) => (steps.push(`lookup ${new URL(url).pathname}`), { outcome: 'ok', status: 200, ms: 1, body: '<ipbx/>' }),
      pop: async () => void steps.push('pop'),
      queuePostCall: async () => undefined,
      saveBook: () => new Promise<void>((done) => writes.push(done)),
      onEnded: () => undefined, onChange: () => undefined,
    }, emptyBook());
    const [offered, ringing] = call();
    const handled = [engine.handle(offered!)];
    await vi.waitFor(() => expect(steps).toEqual(['lookup /lookup']));
    expect(writes).toHaveLength(1); // its write is still under way
    // The ringing step waits for its write, so the queue lookup behind it must wait too: it
    // would otherwise hold up the pop.
    handled.push(engine.handle(ringing!), engine.handle({ type: 'application', callId: 'c1', at: 1_200, application: { type: 'queue', name: 'support' } }));
    await new Promise((r) => setTimeout(r, 5));
    expect(steps).toEqual(['lookup /lookup']);
    for (const done of writes.splice(0)) done();
    await Promise.all(handled);
    await vi.waitFor(() => expect(steps).toEqual(['lookup /lookup', 'pop', 'lookup /queue']));
    for (const done of writes.splice(0)) done();
    await engine.idle();
  });

  it('pops a call that ends before its pop is shown: while its ringing is written, or during its lookup', async () => {
    const quick = setup({ cti: { popupUrl: `${CRM}/pop` } });
    const [offered, ringing, , ended] = call();
    await Promise.all([offered, ringing, ended].map((e) => quick.engine.handle(e!)));
    await quick.engine.idle();
    expect(quick.log.pops).toEqual([`${CRM}/pop`]);
    expect(quick.log.posts).toHaveLength(0); // no post-call URL set
    let answer: (r: LookupResult) => void = () => undefined;
    const slow = setup({ cti: { inboundUrl: `${CRM}/lookup`, popupUrl: `${CRM}/pop` } }, { '/lookup': new Promise<LookupResult>((r) => (answer = r)) });
    for (const e of [offered, ringing, ended]) await slow.engine.handle(e!);
    answer({ outcome: 'ok', status: 200, ms: 1, body: '<ipbx/>' });
    await slow.engine.idle();
    expect(slow.log.pops).toEqual([`${CRM}/pop`]);
  });

  it('pops with the reply\'s values without waiting for the PBX to acknowledge them, and notes a refusal when it comes', async () => {
    const settings = settingsSchema.parse({ cti: { inboundUrl: `${CRM}/lookup`, popupUrl: `${CRM}/pop?name=%%calleridname%%` } });
    const pops: string[] = [];
    let acknowledge: (r: { ok: boolean; reason?: string }) => void = () => undefined;
    const engine = createEngine({
      settings: () => settings, now: () => 5,
      lookup: async () => reply('<ipbx><set><calleridname>Schmidt Bau</calleridname></set></ipbx>'),
      pop: async (_call, url) => void pops.push(url),
      queuePostCall: async () => undefined,
      control: () => new Promise((resolve) => (acknowledge = resolve)),
      saveBook: async () => undefined,
      onEnded: () => undefined, onChange: () => undefined,
    }, emptyBook());
    for (const e of call().slice(0, 2)) await engine.handle(e);
    await vi.waitFor(() => expect(pops).toEqual([`${CRM}/pop?name=Schmidt%20Bau`]));
    acknowledge({ ok: false, reason: 'the PBX did not acknowledge within 3 s' });
    await engine.idle();
    expect(engine.activity('c1')?.lookups[0]?.detail).toBe('PBX did not apply the reply: the PBX did not acknowledge within 3 s');
  });

  it('goes on with the calls when a write fails', async () => {
    const settings = settingsSchema.parse({ cti: { popupUrl: `${CRM}/pop` } });
    const pops: string[] = [];
    const engine = createEngine({
      settings: () => settings, now: () => 5,
      lookup: async () => ({ outcome: 'ok', status: 200, ms: 1, body: '' }),
      pop: async (_call, url) => void pops.push(url),
      queuePostCall: async () => undefined,
      saveBook: () => Promise.reject(new Error('QUOTA_BYTES quota exceeded')),
      onEnded: () => undefined, onChange: () => undefined,
    }, emptyBook());
    await play(engine, [...call('c1').slice(0, 2), ...call('c2').slice(0, 2)]);
    expect(pops).toEqual([`${CRM}/pop`, `${CRM}/pop`]);
  });

  it('keeps the one write when the pop waits for a lookup, and pops on answer with the same single write', async () => {
    const lookedUp = setup({ cti: { inboundUrl: `${CRM}/lookup`, popupUrl: `${CRM}/pop` } });
    await play(lookedUp.engine, call().slice(0, 2));
    expect(lookedUp.log.steps).toEqual(['save popped=', 'save popped=c1', 'pop']);
    const onAnswer = setup({ cti: { popupUrl: `${CRM}/pop` }, behaviour: { popOn: 'answer' } });
    await play(onAnswer.engine, call().slice(0, 3));
    expect(onAnswer.log.steps).toEqual(['save popped=', 'save popped=', 'save popped=c1', 'pop']);
  });

  it('counts the lookup deadline from the frame\'s arrival, not from when the lookup starts', async () => {
    const clock = { now: 10_000 };
    const { engine, log } = setup({ cti: { inboundUrl: `${CRM}/a`, popupUrl: `${CRM}/pop` }, advanced: { lookupTimeoutMs: 2000 } }, {}, emptyBook(), clock);
    // The offered frame arrived 300 ms before the engine got to it (storage, a busy worker).
    await engine.handle(call()[0]!, 9_700);
    await engine.idle();
    expect(log.timeouts).toEqual([1700]);
    // Past the deadline already: the lookup gets the least time, not a fresh 2 s.
    await engine.handle(call('c2')[0]!, 5_000);
    await engine.idle();
    expect(log.timeouts).toEqual([1700, 1]);
  });

  it('popsShown resolves only once the pops the events called for are shown (the resume point waits for it)', async () => {
    let show!: () => void;
    const gate = new Promise<void>((resolve) => (show = resolve));
    const { engine, log } = setup({ cti: { popupUrl: `${CRM}/pop` } }, {}, emptyBook(), { now: 5 }, gate);
    await engine.handle(call()[0]!);
    await engine.handle(call()[1]!);
    let done = false;
    const waiting = engine.popsShown().then(() => (done = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(done).toBe(false);
    show();
    await waiting;
    expect(log.pops).toHaveLength(1);
    await expect(engine.popsShown()).resolves.toBeUndefined();
  });
});

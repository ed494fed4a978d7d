import { describe, expect, it } from 'vitest';
import { emptyBook, type CallBook } from '@/utils/calls/call-book';
import type { CallEvent } from '@/utils/calls/call-event';
import type { LookupResult } from '@/utils/lookup/lookup-runner';
import { createEngine, type ReplyActions } from '@/utils/engine/cti-engine';
import { settingsSchema, type SettingsInput } from '@/utils/settings/schema';

const CRM = 'https://crm.example';

function setup(input: SettingsInput, replies: Record<string, LookupResult> = {}, book: CallBook = emptyBook()) {
  const settings = settingsSchema.parse(input);
  const log = { lookups: [] as string[], pops: [] as string[], posts: [] as { key: string; url: string }[], controls: [] as ReplyActions[], saved: [] as CallBook[] };
  const engine = createEngine(
    {
      settings: () => settings,
      now: () => 5,
      lookup: async (url) => {
        log.lookups.push(url);
        const path = new URL(url).pathname;
        return replies[path] ?? { outcome: 'ok', status: 200, ms: 1, body: '' };
      },
      pop: async (_call, url) => void log.pops.push(url),
      queuePostCall: async (key, url) => void log.posts.push({ key, url }),
      control: async (_id, actions) => (log.controls.push(actions), { ok: true }),
      saveBook: async (b) => void log.saved.push(b),
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
});

import { describe, expect, it } from 'vitest';
import { emptyBook } from '@/utils/calls/call-book';
import type { CallEvent } from '@/utils/calls/call-event';
import { ariControlRequests } from '@/utils/connectors/ari-control';
import { createEngine, type ReplyActions } from '@/utils/engine/cti-engine';
import { checkRoute } from '@/utils/engine/route-policy';
import type { LookupResult } from '@/utils/lookup/lookup-runner';
import { DEFAULT_SETTINGS, settingsSchema, type SettingsInput } from '@/utils/settings/schema';

const rules = DEFAULT_SETTINGS.security.routes;
const https = { via: 'https://crm.example/cti', control: true };

describe('route allow-list (security.routes)', () => {
  it('lets internal extensions of 2 to 5 digits and named queues through, with their dialplan target', () => {
    expect(checkRoute({ type: 'extension', name: '204' }, rules, https)).toEqual({ ok: true, value: { context: 'from-internal', exten: '{name}' } });
    expect(checkRoute({ type: 'queue', name: 'support-de' }, rules, https)).toEqual({ ok: true, value: { context: 'ext-queues', exten: '{name}' } });
    expect(checkRoute({ type: 'ivr', name: 'main' }, rules, https)).toMatchObject({ ok: true, value: { context: 'ivr-{name}', exten: 's' } });
  });

  it('refuses a premium-rate number dressed as an extension, and says which pattern it missed', () => {
    expect(checkRoute({ type: 'extension', name: '09001234567' }, rules, https)).toEqual({
      ok: false,
      error: 'route to extension 09001234567 refused: it matches no allowed pattern for extension ([0-9]{2,5})',
    });
    // The whole name must match: no prefix or suffix slips past an unanchored pattern.
    expect(checkRoute({ type: 'extension', name: '2040' + '0'.repeat(9) }, rules, https).ok).toBe(false);
    expect(checkRoute({ type: 'queue', name: 'a|b' }, [{ type: 'queue', pattern: 'a|b', context: 'q', exten: '{name}' }], https).ok).toBe(false);
  });

  it('refuses route types without a rule (star codes, channels, functions by default)', () => {
    for (const type of ['starcode', 'channel', 'function', 'directory'] as const) {
      expect(checkRoute({ type, name: '*72' }, rules, https)).toEqual({ ok: false, error: `route to ${type} *72 refused: the route allow-list has no rule for ${type}` });
    }
  });

  it('in control mode refuses routes from replies over plain http: to another machine, not to this one', () => {
    const route = { type: 'extension' as const, name: '204' };
    expect(checkRoute(route, rules, { via: 'http://crm.lan/cti', control: true })).toMatchObject({ ok: false, error: expect.stringContaining('plain http: from crm.lan') });
    expect(checkRoute(route, rules, { via: 'http://127.0.0.1:8080/cti', control: true }).ok).toBe(true);
    expect(checkRoute(route, rules, { via: 'http://localhost/cti', control: true }).ok).toBe(true);
    expect(checkRoute(route, rules, { via: 'http://crm.lan/cti', control: false }).ok).toBe(true);
  });

  it('takes the settings schema: a pattern that does not compile is refused', () => {
    expect(settingsSchema.safeParse({ security: { routes: [{ type: 'extension', pattern: '([0-9]' }] } }).success).toBe(false);
    expect(settingsSchema.safeParse({ security: { routes: [{ type: 'extension', context: 'bad context' }] } }).success).toBe(false);
  });
});

describe('the engine applies the allow-list to real calls', () => {
  const offered: CallEvent[] = [
    { type: 'offered', callId: 'c1', at: 1_000, direction: 'inbound', variables: { calleridnumber: '+4930123456', calleridname: 'Hans', exten: '100' } },
    { type: 'ended', callId: 'c1', at: 2_000, cause: 16 },
  ];

  async function run(input: SettingsInput, xml: string) {
    const settings = settingsSchema.parse(input);
    const controls: ReplyActions[] = [];
    const engine = createEngine({
      settings: () => settings,
      now: () => 5,
      lookup: async (): Promise<LookupResult> => ({ outcome: 'ok', status: 200, ms: 1, body: xml }),
      pop: async () => undefined,
      queuePostCall: async () => undefined,
      control: async (_id, actions) => (controls.push(actions), { ok: true }),
      saveBook: async () => undefined,
      onEnded: () => undefined,
      onChange: () => undefined,
    }, emptyBook());
    await engine.handle(offered[0]!);
    await engine.idle();
    const detail = engine.activity('c1')?.lookups[0]?.detail;
    return { controls, detail };
  }

  it('continues the call unrouted, keeps the reply\'s other values and reports the refusal', async () => {
    const { controls, detail } = await run(
      { connection: { kind: 'ari', control: true }, cti: { inboundUrl: 'https://crm.example/l?n=%%calleridnumber%%' } },
      '<ipbx><set><accountcode>ACME</accountcode></set><route><type>extension</type><name>09001234567</name><break>1</break></route></ipbx>',
    );
    expect(controls).toEqual([{ set: { accountcode: 'ACME' }, route: null, break: false }]);
    expect(detail).toContain('route to extension 09001234567 refused');
  });

  it('refuses a route from a plain-http CRM on the network in control mode', async () => {
    const { controls, detail } = await run(
      { connection: { kind: 'ari', control: true }, cti: { inboundUrl: 'http://crm.lan/l?n=%%calleridnumber%%' } },
      '<ipbx><route><type>extension</type><name>204</name></route></ipbx>',
    );
    expect(controls).toEqual([{ set: {}, route: null, break: false }]);
    expect(detail).toContain('plain http: from crm.lan');
  });

  it('routes an allowed name to the target of the rule it matched (ARI continue)', async () => {
    const { controls } = await run(
      {
        connection: { kind: 'ari', control: true },
        cti: { inboundUrl: 'https://crm.example/l?n=%%calleridnumber%%' },
        security: { routes: [{ type: 'queue', pattern: 'vip', context: 'vip-queues', exten: 'q-{name}' }, { type: 'queue', pattern: '[a-z]+', context: 'ext-queues', exten: '{name}' }] },
      },
      '<ipbx><route><type>queue</type><name>vip</name></route></ipbx>',
    );
    expect(controls).toHaveLength(1);
    const continued = ariControlRequests('1.42', controls[0]!).at(-1);
    expect(continued).toEqual({ method: 'POST', path: '/ari/channels/1.42/continue', query: { context: 'vip-queues', extension: 'q-vip', priority: '1' } });
  });
});

describe('<record>no</record> on ARI', () => {
  it('sets CTIPOP_RECORD=no on the channel before the continue, for the dialplan to skip or stop recording', () => {
    const requests = ariControlRequests('1.42', { set: { record: 'no' }, route: null, break: false });
    expect(requests).toEqual([
      { method: 'POST', path: '/ari/channels/1.42/variable', query: { variable: 'CTIPOP_RECORD', value: 'no' } },
      { method: 'POST', path: '/ari/channels/1.42/continue', query: {} },
    ]);
  });
});

import full from 'libphonenumber-js/metadata.min.json';
import { describe, expect, it, vi } from 'vitest';
import type { CallEvent } from '@/utils/calls/call-event';
import { settingsSchema, type SettingsInput } from '@/utils/settings/schema';

/**
 * The worker loads number plans per calling code on demand (utils/templates/phone-metadata.ts).
 * A fresh module graph starts with none loaded, as a new worker does; the loader answers when told.
 */
async function engineWithSlowPlans(input: SettingsInput) {
  vi.resetModules();
  const plans = await import('@/utils/templates/phone-metadata');
  const { createEngine } = await import('@/utils/engine/cti-engine');
  const { emptyBook } = await import('@/utils/calls/call-book');
  const { loadAllPhoneMetadata } = await import('@/utils/templates/all-phone-metadata');
  const requested: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  plans.setPhoneMetadataLoader({
    index: async () => plans.phoneMetadataIndex(full),
    part: async (code) => {
      requested.push(code);
      await released;
      return { countries: {} };
    },
  });
  // As the worker does at start: the calling-code index first, no country's plans yet.
  await plans.preparePhoneMetadata('', '');
  const settings = settingsSchema.parse(input);
  const pops: string[] = [];
  const engine = createEngine({
    settings: () => settings,
    now: () => 5,
    lookup: async () => ({ outcome: 'ok', status: 200, ms: 1, body: '' }),
    pop: async (_call, url) => void pops.push(url),
    queuePostCall: async () => undefined,
    saveBook: async () => undefined,
    onEnded: () => undefined,
    onChange: () => undefined,
  }, emptyBook());
  return { engine, pops, requested, release: () => { loadAllPhoneMetadata(); release(); } };
}

const CRM = 'https://crm.example';
const ringing: CallEvent[] = [
  { type: 'offered', callId: 'c1', at: 1_000, direction: 'inbound', variables: { calleridnumber: '+15551234567', calleridname: 'Carol' } },
  { type: 'ringing', callId: 'c1', at: 1_100 },
];

describe('pops and number plans loaded on demand', () => {
  it('a pop whose template uses no number format waits for no number plan', async () => {
    const { engine, pops, requested } = await engineWithSlowPlans({ numbers: { homeCountry: 'DE' }, cti: { popupUrl: `${CRM}/pop?n=%%calleridnumber%%` } });
    for (const e of ringing) await engine.handle(e);
    await engine.idle();
    expect(pops).toEqual([`${CRM}/pop?n=%2B15551234567`]);
    expect(requested).toEqual([]);
  });

  it('a call that ends while its number plan loads still pops: the ringing event decided it', async () => {
    const { engine, pops, requested, release } = await engineWithSlowPlans({ numbers: { homeCountry: 'DE' }, cti: { popupUrl: `${CRM}/pop?e164=%%calleridnumber_e164%%` } });
    for (const e of ringing) await engine.handle(e);
    await engine.handle({ type: 'ended', callId: 'c1', at: 1_300, cause: 16 });
    expect(requested.sort()).toEqual(['1', '49']);
    expect(pops).toEqual([]);
    release();
    await engine.idle();
    expect(pops).toEqual([`${CRM}/pop?e164=%2B15551234567`]);
  });
});

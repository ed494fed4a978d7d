import { emptyBook } from '../../utils/calls/call-book';
import type { CallEvent } from '../../utils/calls/call-event';
import { createEngine } from '../../utils/engine/cti-engine';
import { settingsSchema } from '../../utils/settings/schema';
import { summarize, type BenchRow } from './measure';
import { loadAllPhoneMetadata } from '../../utils/templates/all-phone-metadata';

loadAllPhoneMetadata();

/**
 * The engine's own cost per call event (call model, control points, template expansion with
 * number formats, CDR): lookups, pops, storage and the outbox are instant fakes, so what is
 * measured is only our code. Target: < 20 µs per event.
 */
export async function run(): Promise<BenchRow[]> {
  const settings = settingsSchema.parse({
    cti: { popupUrl: 'https://crm.example/pop?n=%%calleridnumber_e164%%&name=%%calleridname%%', postCallUrl: 'https://crm.example/cdr?src=%%src%%&billsec=%%billsec%%&disposition=%%disposition%%' },
  });
  const engine = createEngine(
    {
      settings: () => settings,
      now: () => 0,
      lookup: async () => ({ outcome: 'ok', ms: 0, body: '' }),
      pop: async () => undefined,
      queuePostCall: async () => undefined,
      saveBook: async () => undefined,
      onEnded: () => undefined,
      onChange: () => undefined,
    },
    emptyBook(),
  );
  const events = (i: number): CallEvent[] => {
    const callId = `call-${i}`;
    return [
      { type: 'offered', callId, at: i, direction: 'inbound', variables: { calleridnumber: `030 ${1_000_000 + i}`, calleridname: 'Zoë Müller', exten: '100' } },
      { type: 'ringing', callId, at: i + 1 },
      { type: 'answered', callId, at: i + 5000 },
      { type: 'ended', callId, at: i + 65_000, cause: 16 },
    ];
  };
  const perEvent: number[] = [];
  const CALLS = 3000;
  for (let i = 0; i < CALLS; i++) {
    const t = process.hrtime.bigint();
    for (const e of events(i)) await engine.handle(e);
    await engine.idle();
    perEvent.push(Number(process.hrtime.bigint() - t) / 1000 / 4);
  }
  perEvent.splice(0, 300);
  return [{ ...summarize('engine: per call event (model + pop + CDR, fakes for I/O)', perEvent.sort((a, b) => a - b)), note: `${CALLS} calls × 4 events` }];
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAriFanout } from '../../../utils/connectors/ari-fanout';
import { createAriTranslator } from '../../../utils/connectors/ari-translate';
import { scrambleAri, seededRandom } from '../../sim/ari/scramble';
import { traceFrames, traceNames } from './helpers';

const USERS = ['PJSIP/100', 'PJSIP/101'];
const OPTS = { trunks: ['PJSIP/pstn'] };

/** What N independent single-user translators say, per endpoint. */
function single(frames: string[], endpoints = USERS) {
  return Object.fromEntries(endpoints.map((e) => {
    const t = createAriTranslator({ endpoints: [e], ...OPTS });
    return [e, frames.flatMap((f) => t.handle(f))];
  }));
}

function fanned(frames: string[], endpoints = USERS) {
  const fan = createAriFanout({ endpoints, ...OPTS });
  const out: Record<string, unknown[]> = Object.fromEntries(endpoints.map((e) => [e, []]));
  for (const f of frames) for (const { endpoint, event } of fan.handle(f)) out[endpoint]?.push(event);
  return { out, fan };
}

const scrambled = (name: string, seed: number) =>
  scrambleAri(traceFrames(name) as Record<string, unknown>[], (f) => f, { windowMs: 40, random: seededRandom(seed) }).map((f) => JSON.stringify(f));

describe('multi-user translation (createAriFanout)', () => {
  it('gives each endpoint exactly what its own translator gives, on every trace in any per-channel order', () => {
    fc.assert(fc.property(fc.constantFrom(...traceNames()), fc.integer(), (name, seed) => {
      const frames = scrambled(name, seed);
      expect(fanned(frames).out).toEqual(single(frames));
    }), { numRuns: 100 });
  }, 30_000);

  it('an internal call 100 → 101 is one call for each, from each one’s side', () => {
    const frames = traceFrames('m_internal_100_calls_101').map((f) => JSON.stringify(f));
    const { out } = fanned(frames);
    const offered = (e: string) => out[e]?.find((x) => (x as { type: string }).type === 'offered') as { direction: string; variables: Record<string, string> };
    expect(offered('PJSIP/100')).toMatchObject({ direction: 'internal', variables: { calleridnumber: '100', exten: '101' } });
    expect(offered('PJSIP/101')).toMatchObject({ direction: 'internal', variables: { calleridnumber: '100', calleridname: 'Alice Agent' } });
  });

  it('with a thousand endpoints configured, the two phones in the traces get the same as with two', () => {
    const many = Array.from({ length: 1000 }, (_, i) => `PJSIP/${100 + i}`);
    for (const name of traceNames()) {
      const frames = traceFrames(name).map((f) => JSON.stringify(f));
      const { out } = fanned(frames, many);
      expect({ a: out['PJSIP/100'], b: out['PJSIP/101'] }).toEqual({ a: single(frames)['PJSIP/100'], b: single(frames)['PJSIP/101'] });
      for (const e of many.slice(2)) expect(out[e]).toEqual([]);
    }
  }, 30_000);

  it('snapshot and restore mid-trace, and reconcile, keep the per-endpoint equality', () => {
    for (const name of traceNames()) {
      const frames = traceFrames(name).map((f) => JSON.stringify(f));
      const whole = fanned(frames).out;
      for (const cut of [Math.floor(frames.length / 3), Math.floor(frames.length / 2)]) {
        const first = fanned(frames.slice(0, cut));
        const second = createAriFanout({ endpoints: USERS, ...OPTS });
        expect(second.restore(JSON.parse(JSON.stringify(first.fan.snapshot())))).toEqual({ ok: true });
        const rest = frames.slice(cut).flatMap((f) => second.handle(f));
        for (const e of USERS) expect([...(first.out[e] ?? []), ...rest.filter((x) => x.endpoint === e).map((x) => x.event)]).toEqual(whole[e]);
      }
    }
  });

  it('parses each frame once: stats count frames, not frames × users', () => {
    const frames = traceFrames('d_queue_answered_by_101').map((f) => JSON.stringify(f));
    const { fan } = fanned(frames);
    expect(fan.stats().frames).toBe(frames.length);
    expect(fan.stats().malformed).toBe(0);
  });
});

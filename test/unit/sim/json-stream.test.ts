import { describe, expect, it } from 'vitest';
import { serverFrame, type CallFrame } from '../../../utils/connectors/json-protocol';
import { scenarioFrames, type TimedFrame } from '../../sim/json-stream';
import { listScenarioNames, loadScenario } from '../../sim/scenario-files';

const START = Date.UTC(2026, 10, 28, 9, 0, 0);

function framesOf(name: string, withCdr = false): CallFrame[] {
  const s = loadScenario(name);
  if (!s.ok) throw new Error(s.error);
  return scenarioFrames(s.value, { startEpochMs: START, withCdr }).map((t: TimedFrame, i) => ({ ...t.frame, id: String(i + 1), at: START + t.atMs }) as CallFrame);
}
const of = (frames: CallFrame[], user: string) => frames.filter((f) => f.users.includes(user));
const events = (frames: CallFrame[]) => frames.map((f) => f.event);

describe('scenario files → protocol-v1 frames', () => {
  const names = listScenarioNames();

  it('ships the scenarios the tests rely on', () => {
    for (const n of ['inbound-answered', 'inbound-missed', 'inbound-busy', 'outbound', 'internal', 'queue-ring-all', 'ring-group', 'ivr-then-extension', 'blind-transfer', 'attended-transfer', 'concurrent-calls', 'hostile-callerid']) expect(names).toContain(n);
  });

  it.each(names)('%s: every frame validates, with and without CDR, and every leg ends once', (name) => {
    for (const withCdr of [false, true]) {
      const frames = framesOf(name, withCdr);
      expect(frames.length).toBeGreaterThan(0);
      for (const f of frames) expect(serverFrame.safeParse(f).success, JSON.stringify(f)).toBe(true);
      for (const f of frames) expect(f.users).toHaveLength(1);
      const legs = new Set(frames.map((f) => `${f.callId} ${f.users[0]}`));
      for (const leg of legs) {
        const mine = frames.filter((f) => `${f.callId} ${f.users[0]}` === leg);
        expect(mine[0]?.event, leg).toBe('offered');
        expect(mine.filter((f) => f.event === 'ended'), leg).toHaveLength(1);
        expect(mine.at(-1)?.event, leg).toBe('ended');
      }
      const ended = frames.filter((f) => f.event === 'ended');
      for (const f of ended) expect(f.event === 'ended' && f.cdr !== undefined).toBe(withCdr);
    }
  });

  it('inbound-answered: the user sees the outside caller, the DID and its own channel', () => {
    const frames = framesOf('inbound-answered');
    expect(events(frames)).toEqual(['offered', 'ringing', 'answered', 'ended']);
    const offered = frames[0];
    if (offered?.event !== 'offered') throw new Error('first frame must be offered');
    expect(offered.direction).toBe('inbound');
    expect(offered.variables).toMatchObject({ calleridname: 'Carol Customer', calleridnumber: '+15551234567', did: '+15559876000', exten: '100', user: 'PJSIP/100', direction: 'inbound', timestamp: String(START / 1000) });
    expect(offered.variables.channel).toMatch(/^PJSIP\/100-[0-9a-f]{8}$/);
    expect(offered.variables.linkedid).not.toBe(offered.variables.uniqueid);
    expect(frames[2]!.at - frames[1]!.at).toBe(5000);
  });

  it('outbound: the caller ID is the user, the dialled number is exten', () => {
    const [offered] = framesOf('outbound');
    if (offered?.event !== 'offered') throw new Error('first frame must be offered');
    expect(offered.direction).toBe('outbound');
    expect(offered.variables).toMatchObject({ calleridnumber: '100', calleridname: 'Alice Agent', exten: '02079460123', did: '', user: 'PJSIP/100' });
  });

  it('internal: both phones see the call as internal from 101', () => {
    const frames = framesOf('internal');
    for (const user of ['PJSIP/100', 'PJSIP/101']) {
      const offered = of(frames, user)[0];
      if (offered?.event !== 'offered') throw new Error(`no offered for ${user}`);
      expect(offered.direction).toBe('internal');
      expect(offered.variables.calleridnumber).toBe('101');
    }
  });

  it('queue-ring-all: 100 ends with cause 26 only for itself; both saw the queue', () => {
    const frames = framesOf('queue-ring-all');
    expect(events(of(frames, 'PJSIP/100'))).toEqual(['offered', 'application', 'ringing', 'ended']);
    expect(of(frames, 'PJSIP/100').at(-1)).toMatchObject({ event: 'ended', cause: 26 });
    expect(events(of(frames, 'PJSIP/101'))).toEqual(['offered', 'application', 'ringing', 'answered', 'ended']);
    expect(of(frames, 'PJSIP/101').at(-1)).toMatchObject({ event: 'ended', cause: 16 });
    expect(of(frames, 'PJSIP/101')[1]).toMatchObject({ application: { type: 'queue', name: 'support' } });
    expect(new Set(frames.map((f) => f.callId)).size).toBe(1);
  });

  it('inbound-busy and inbound-missed carry their causes', () => {
    expect(framesOf('inbound-busy').at(-1)).toMatchObject({ event: 'ended', cause: 17 });
    expect(framesOf('inbound-missed').at(-1)).toMatchObject({ event: 'ended', cause: 127 });
  });

  it('blind-transfer: 100 leaves with 16, 102 rings with the caller and rdnis 100', () => {
    const frames = framesOf('blind-transfer');
    expect(of(frames, 'PJSIP/100').at(-1)).toMatchObject({ event: 'ended', cause: 16 });
    const offered = of(frames, 'PJSIP/102')[0];
    if (offered?.event !== 'offered') throw new Error('no offered for 102');
    expect(offered.variables).toMatchObject({ calleridname: 'Carol Customer', rdnis: '100', direction: 'inbound' });
    expect(events(of(frames, 'PJSIP/102'))).toEqual(['offered', 'ringing', 'answered', 'ended']);
  });

  it('attended-transfer: 102 first sees 100 consulting, then Carol', () => {
    const mine = of(framesOf('attended-transfer'), 'PJSIP/102');
    expect(events(mine)).toEqual(['offered', 'ringing', 'answered', 'variables', 'ended']);
    expect(mine[0]).toMatchObject({ direction: 'internal', variables: { calleridnumber: '100' } });
    expect(mine[3]).toMatchObject({ variables: { calleridnumber: '+15551234567', calleridname: 'Carol Customer' } });
  });

  it('concurrent-calls: two call ids overlap at PJSIP/100', () => {
    const frames = framesOf('concurrent-calls');
    const ids = [...new Set(frames.map((f) => f.callId))];
    expect(ids).toHaveLength(2);
    const secondOffered = frames.findIndex((f) => f.callId === ids[1] && f.event === 'offered');
    const firstEnded = frames.findIndex((f) => f.callId === ids[0] && f.event === 'ended');
    expect(secondOffered).toBeLessThan(firstEnded);
  });

  it('hostile-callerid: the name reaches the stream byte for byte', () => {
    const [offered] = framesOf('hostile-callerid');
    if (offered?.event !== 'offered') throw new Error('first frame must be offered');
    const name = offered.variables.calleridname ?? '';
    for (const part of ['Zoë Müller-Łukasiewicz 東京', '&', '#', '%%calleridnumber%%', '\r\n', '\u202E', '<script>']) expect(name).toContain(part);
  });

  it('CDR: classic fields from scenario time, even though the stream is scaled', () => {
    const end = framesOf('inbound-answered', true).at(-1);
    if (end?.event !== 'ended' || !end.cdr) throw new Error('last frame must be ended with cdr');
    expect(end.cdr).toMatchObject({ src: '+15551234567', dst: '100', disposition: 'ANSWERED', billsec: '6', duration: '11', clid: '"Carol Customer" <+15551234567>', calldate: '2026-11-28 09:00:00', answer: '2026-11-28 09:00:05' });
    expect(end.cdr.uniqueid).toBe(end.cdr.linkedid); // named after the caller's (A) leg, as Asterisk does
    const missed = framesOf('queue-ring-all', true).find((f) => f.event === 'ended' && f.users[0] === 'PJSIP/100');
    expect(missed).toMatchObject({ cdr: { disposition: 'NO ANSWER', billsec: '0', lastapp: 'Queue', accountcode: 'SUPPORT' } });
    expect(framesOf('inbound-busy', true).at(-1)).toMatchObject({ cdr: { disposition: 'BUSY' } });
  });
});

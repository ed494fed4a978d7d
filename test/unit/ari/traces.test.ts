import { describe, expect, it } from 'vitest';
import { createAriTranslator } from '../../../utils/connectors/ari-translate';
import { replayAri } from '../../../utils/connectors/ari-replay';
import { traceFrames, traceLines } from './helpers';

const INBOUND = 'a_inbound_answered_caller_hangup';
const OUTBOUND = 'e_outbound_100_to_external';

describe('ARI translator on the real Asterisk 22 traces', () => {
  it('inbound: Carol Customer via DID 5550100100, answered by PJSIP/100 after 5 s, caller hangs up', () => {
    const t = createAriTranslator({ endpoints: ['PJSIP/100'] });
    const events = traceFrames(INBOUND).flatMap((f) => t.handle(f));
    expect(events).toEqual([
      {
        type: 'offered', callId: '1795823036.0', at: 1795823036304, direction: 'inbound',
        variables: {
          calleridname: 'Carol Customer', calleridnumber: '+15551234567', accountcode: '',
          uniqueid: '1795823036.1', channel: 'PJSIP/100-00000001', linkedid: '1795823036.0', user: 'PJSIP/100',
          direction: 'inbound', exten: '100', context: 'internal', did: '5550100100', rdnis: '',
          application: '', application_type: '', timestamp: '1795823036',
        },
      },
      { type: 'ringing', callId: '1795823036.0', at: 1795823036309 },
      { type: 'answered', callId: '1795823036.0', at: 1795823041306 },
      {
        type: 'ended', callId: '1795823036.0', at: 1795823047315, cause: 16,
        // Asterisk's CDR row for this leg is keyed on the trunk channel, with the phone as dstchannel.
        cdr: {
          channel: 'PJSIP/pstn-00000000', dstchannel: 'PJSIP/100-00000001', uniqueid: '1795823036.0',
          lastapp: 'Dial', lastdata: 'PJSIP/100,15', dst: '100', dcontext: 'internal',
        },
      },
    ]);
    // Asterisk's own CDR says billsec 6 for this call: our answer and end times agree with it.
    const at = (type: string) => events.find((e) => e.type === type)?.at ?? NaN;
    expect(Math.round((at('ended') - at('answered')) / 1000)).toBe(6);
    // ChannelVarset (54), DeviceStateChanged (5), bridge lifecycle frames (4) need no parsing at all.
    expect(t.stats()).toEqual({ frames: 86, malformed: 0, ignored: 63, events: 4 });
  });

  it('outbound: PJSIP/100 dials 02079460123 through the trunk, presented as +1555010100', () => {
    const t = createAriTranslator({ endpoints: ['PJSIP/100'] });
    const events = traceFrames(OUTBOUND).flatMap((f) => t.handle(f));
    expect(events).toEqual([
      {
        type: 'offered', callId: '1795823121.12', at: 1795823121146, direction: 'outbound',
        variables: {
          calleridname: 'Alice Agent', calleridnumber: '+1555010100', accountcode: '',
          uniqueid: '1795823121.12', channel: 'PJSIP/100-0000000c', linkedid: '1795823121.12', user: 'PJSIP/100',
          direction: 'outbound', exten: '02079460123', context: 'internal', did: '', rdnis: '',
          application: '', application_type: '', timestamp: '1795823121',
        },
      },
      { type: 'ringing', callId: '1795823121.12', at: 1795823121148 },
      { type: 'answered', callId: '1795823121.12', at: 1795823126145 },
      {
        type: 'ended', callId: '1795823121.12', at: 1795823132155, cause: 16,
        cdr: {
          channel: 'PJSIP/100-0000000c', dstchannel: 'PJSIP/pstn-0000000d', uniqueid: '1795823121.12',
          lastapp: 'Dial', lastdata: 'PJSIP/02079460123@pstn,30', dst: '02079460123', dcontext: 'internal',
        },
      },
    ]);
  });

  it('says nothing to a user the calls never reach', () => {
    for (const name of [INBOUND, OUTBOUND]) {
      const t = createAriTranslator({ endpoints: ['PJSIP/101'] });
      expect(traceFrames(name).flatMap((f) => t.handle(f))).toEqual([]);
    }
  });

  it('gives the same events from raw text, with the endpoint written in another case of technology', () => {
    const fromObjects = createAriTranslator({ endpoints: ['PJSIP/100'] });
    const fromText = createAriTranslator({ endpoints: ['pjsip/100'] });
    const a = traceFrames(INBOUND).flatMap((f) => fromObjects.handle(f));
    const b = traceFrames(INBOUND).flatMap((f) => fromText.handle(JSON.stringify(f)));
    expect(b.map((e) => ({ ...e, variables: undefined }))).toEqual(a.map((e) => ({ ...e, variables: undefined })));
    // Text frames of ignored types are dropped before JSON.parse: ChannelVarset and device states.
    expect(fromText.stats().ignored).toBe(54 + 5 + 4);
  });

  it('matches the endpoint exactly: PJSIP/1000 and PJSIP/10 are other phones', () => {
    for (const endpoint of ['PJSIP/1000', 'PJSIP/10']) {
      const t = createAriTranslator({ endpoints: [endpoint] });
      expect(traceFrames(INBOUND).flatMap((f) => t.handle(f))).toEqual([]);
    }
  });

  it('emits nothing new when every frame arrives twice', () => {
    for (const name of [INBOUND, OUTBOUND]) {
      const once = createAriTranslator({ endpoints: ['PJSIP/100'] });
      const twice = createAriTranslator({ endpoints: ['PJSIP/100'] });
      const a = traceFrames(name).flatMap((f) => once.handle(f));
      const b = traceFrames(name).flatMap((f) => [...twice.handle(f), ...twice.handle(f)]);
      expect(b).toEqual(a);
    }
  });

  it('emits nothing when the whole trace is replayed after the call ended', () => {
    const t = createAriTranslator({ endpoints: ['PJSIP/100'] });
    traceFrames(INBOUND).forEach((f) => t.handle(f));
    expect(traceFrames(INBOUND).flatMap((f) => t.handle(f))).toEqual([]);
  });

  it('replayAri reads the recording wrapper and bare frames alike, and skips blank lines', () => {
    const wrapped = replayAri(traceLines(OUTBOUND), { endpoints: ['PJSIP/100'] });
    const bare = replayAri(['', ...traceLines(OUTBOUND).map((l) => JSON.stringify((JSON.parse(l) as { event: unknown }).event)), '  '], { endpoints: ['PJSIP/100'] });
    expect(wrapped.map((e) => e.type)).toEqual(['offered', 'ringing', 'answered', 'ended']);
    expect(bare).toEqual(wrapped);
  });

  it('replayAri counts unreadable lines and goes on', () => {
    let malformed = -1;
    const events = replayAri(['{not json', '[]', '{"type": 5}', ...traceLines(INBOUND)], { endpoints: ['PJSIP/100'], onStats: (s) => (malformed = s.malformed) });
    expect(events).toHaveLength(4);
    expect(malformed).toBe(3);
  });
});

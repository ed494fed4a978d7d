import { describe, expect, it } from 'vitest';
import { framesOf, inline, outline, scenarioFile, START, translate } from './helpers';

const run = (name: string, endpoint: string, opts = {}) => outline(translate(framesOf(scenarioFile(name)).map((x) => x.frame), endpoint, opts));

describe('ARI translator on simulator scenarios (frames shaped like the real traces)', () => {
  it('inbound answered', () => {
    expect(run('inbound-answered', 'PJSIP/100')).toEqual(['offered inbound +15551234567 @100', 'ringing @100', 'answered @5100', 'ended 16 @11100']);
  });

  it('missed (caller gives up), busy, rejected, no answer: the cause of the user’s leg', () => {
    expect(run('inbound-missed', 'PJSIP/100')).toEqual(['offered inbound +15551234567 @100', 'ringing @100', 'ended 127 @4100']);
    expect(run('inbound-busy', 'PJSIP/100')).toEqual(['offered inbound +15551234567 @100', 'ringing @100', 'ended 17 @1100']);
    expect(run('inbound-rejected', 'PJSIP/100')).toEqual(['offered inbound +15551234567 @100', 'ringing @100', 'ended 21 @2100']);
    expect(run('inbound-no-answer', 'PJSIP/100')).toEqual(['offered inbound +15551234567 @100', 'ringing @100', 'ended 0 @20100']);
  });

  it('queue ring-all answered by a colleague: the user gets ended 26 and never answered', () => {
    expect(run('queue-ring-all', 'PJSIP/100')).toEqual(['offered inbound +4930123456 @2100', 'application queue:support @2100', 'ringing @2100', 'ended 26 @6100']);
    expect(run('queue-ring-all', 'PJSIP/101')).toEqual(['offered inbound +4930123456 @2100', 'application queue:support @2100', 'ringing @2100', 'answered @6100', 'ended 16 @14100']);
  });

  it('queue the user watches: offered when the caller enters the queue, before any phone rings', () => {
    const events = translate(framesOf(scenarioFile('queue-ring-all')).map((x) => x.frame), 'PJSIP/100', { queues: ['support'] });
    expect(outline(events)).toEqual(['offered inbound +4930123456 @100', 'application queue:support @100', 'ringing @2100', 'ended 26 @6100']);
    expect(events[0]?.type === 'offered' && events[0].variables).toMatchObject({ application: 'support', application_type: 'queue', accountcode: 'SUPPORT', exten: '601' });
  });

  it('ring group: the group is an application, losers end with 26', () => {
    expect(run('ring-group', 'PJSIP/100')).toEqual(['offered inbound +15551234567 @200', 'application group:600 @200', 'ringing @200', 'ended 26 @4200']);
    expect(run('ring-group', 'PJSIP/102')).toEqual(['offered inbound +15551234567 @200', 'application group:600 @200', 'ringing @200', 'answered @4200', 'ended 16 @12200']);
  });

  it('IVR then extension: the IVR the caller chose from comes with the call', () => {
    expect(run('ivr-then-extension', 'PJSIP/100')).toEqual(['offered inbound +15551234567 @4100', 'application ivr:ivr-main @4100', 'ringing @4100', 'answered @7100', 'ended 16 @13100']);
  });

  it('outbound: the user is the calling party, the dialled number is exten', () => {
    const events = translate(framesOf(scenarioFile('outbound')).map((x) => x.frame), 'PJSIP/100');
    expect(outline(events)).toEqual(['offered outbound 100 @300', 'ringing @300', 'answered @4300', 'ended 16 @10300']);
    expect(events[0]?.type === 'offered' && events[0].variables).toMatchObject({ calleridname: 'Alice Agent', exten: '02079460123', did: '' });
  });

  it('internal: both ends see an internal call, the callee with the caller as party', () => {
    const callee = translate(framesOf(scenarioFile('internal')).map((x) => x.frame), 'PJSIP/100');
    expect(outline(callee)).toEqual(['offered internal 101 @100', 'ringing @100', 'answered @3100', 'ended 16 @9100']);
    expect(callee[0]?.type === 'offered' && callee[0].variables).toMatchObject({ calleridname: 'Bob Agent', exten: '100' });
    expect(run('internal', 'PJSIP/101')).toEqual(['offered internal 101 @100', 'ringing @100', 'answered @3100', 'ended 16 @9100']);
  });

  it('blind transfer: the transferrer ends, the call goes on for the target under the same callId', () => {
    const frames = framesOf(scenarioFile('blind-transfer')).map((x) => x.frame);
    const from = translate(frames, 'PJSIP/100');
    const to = translate(frames, 'PJSIP/102');
    expect(outline(from)).toEqual(['offered inbound +15551234567 @100', 'ringing @100', 'answered @3100', 'ended 16 @8100']);
    expect(outline(to)).toEqual(['offered inbound +15551234567 @8100', 'ringing @8100', 'answered @11100', 'ended 16 @17100']);
    expect(to[0]?.callId).toBe(from[0]?.callId);
  });

  it('attended transfer: both of the transferrer’s calls end; the target’s call now shows the customer', () => {
    const frames = framesOf(scenarioFile('attended-transfer')).map((x) => x.frame);
    expect(run('attended-transfer', 'PJSIP/100')).toEqual([
      'offered inbound +15551234567 @100', 'ringing @100', 'answered @3100',
      'offered internal 100 @6100', 'ringing @6100', 'answered @8100', 'ended 16 @10100', 'ended 16 @10100',
    ]);
    expect(outline(translate(frames, 'PJSIP/102'))).toEqual([
      'offered internal 100 @6100', 'ringing @6100', 'answered @8100',
      'variables {"calleridname":"Carol Customer","calleridnumber":"+15551234567"} @10100', 'ended 16 @16100',
    ]);
  });

  it('two concurrent calls keep their own callIds', () => {
    const events = translate(framesOf(scenarioFile('concurrent-calls')).map((x) => x.frame), 'PJSIP/100');
    expect(outline(events)).toEqual([
      'offered inbound +15551234567 @100', 'ringing @100', 'offered inbound +4930123456 @2100', 'ringing @2100',
      'answered @3100', 'ended 16 @12100', 'answered @12600', 'ended 16 @18600',
    ]);
    expect(new Set(events.map((e) => e.callId)).size).toBe(2);
  });

  it('hostile caller IDs pass through as data', () => {
    const events = translate(framesOf(scenarioFile('hostile-callerid')).map((x) => x.frame), 'PJSIP/100');
    const offered = events[0];
    expect(offered?.type).toBe('offered');
    expect(scenarioFile('hostile-callerid').calls[0]?.from.name).toBe(offered?.type === 'offered' ? offered.variables.calleridname : undefined);
  });

  it('click-to-call: the PBX rings the user’s phone first (AppDial2), then dials out: outbound', () => {
    const s = inline([{
      id: 'c2c', from: { endpoint: 'PJSIP/100', name: 'Alice Agent' }, to: { number: '02079460999', name: 'Dave Prospect' },
      steps: [
        { at: 0, do: 'offer' }, { at: 0, do: 'ring', endpoints: ['PJSIP/100'] }, { at: 2000, do: 'answer', endpoint: 'PJSIP/100' },
        { at: 2010, do: 'ring', endpoints: [] }, { at: 5000, do: 'answer', endpoint: '' }, { at: 9000, do: 'hangup', by: 'callee' },
      ],
    }]);
    const events = translate(framesOf(s).map((x) => x.frame), 'PJSIP/100');
    // Offered once the answered phone's dialplan runs at the destination: that decides outbound or internal.
    expect(outline(events)).toEqual(['offered outbound 100 @2010', 'ringing @2010', 'answered @5000', 'ended 16 @9000']);
    expect(events[0]?.type === 'offered' && events[0].variables).toMatchObject({ exten: '02079460999', direction: 'outbound' });
  });

  it('every frame twice gives exactly the events of every frame once', () => {
    for (const name of ['inbound-answered', 'queue-ring-all', 'ring-group', 'attended-transfer', 'blind-transfer', 'concurrent-calls']) {
      const frames = framesOf(scenarioFile(name)).map((x) => x.frame);
      for (const endpoint of ['PJSIP/100', 'PJSIP/101', 'PJSIP/102']) {
        expect(translate(frames.flatMap((f) => [f, f]), endpoint)).toEqual(translate(frames, endpoint));
      }
    }
  });

  it('device, contact and peer noise from a phone re-registering creates no call', () => {
    const at = '2026-11-28T00:21:07.123+0000';
    const endpoint = { technology: 'PJSIP', resource: '100', state: 'online', channel_ids: [] };
    const noise = [
      { type: 'ContactStatusChange', timestamp: at, endpoint, contact_info: { uri: 'sip:100@10.0.0.5:5060', contact_status: 'Removed', aor: '100' }, application: 'cti' },
      { type: 'DeviceStateChanged', timestamp: at, device_state: { name: 'PJSIP/100', state: 'UNAVAILABLE' }, application: 'cti' },
      { type: 'PeerStatusChange', timestamp: at, endpoint, peer: { peer_status: 'Unreachable' }, application: 'cti' },
      { type: 'ContactStatusChange', timestamp: at, endpoint, contact_info: { uri: 'sip:100@10.0.0.5:5060', contact_status: 'Reachable', aor: '100', roundtrip_usec: '1532' }, application: 'cti' },
      { type: 'DeviceStateChanged', timestamp: at, device_state: { name: 'PJSIP/100', state: 'NOT_INUSE' }, application: 'cti' },
      { type: 'EndpointStateChange', timestamp: at, endpoint, application: 'cti' },
    ];
    const frames = framesOf(scenarioFile('inbound-answered')).map((x) => x.frame);
    const mixed = [...noise, ...frames.slice(0, 30), ...noise, ...frames.slice(30), ...noise];
    expect(translate(noise, 'PJSIP/100')).toEqual([]);
    expect(translate(mixed, 'PJSIP/100')).toEqual(translate(frames, 'PJSIP/100'));
  });

  it('starts its clock from the frames: `at` is the PBX timestamp', () => {
    const events = translate(framesOf(scenarioFile('inbound-answered')).map((x) => x.frame), 'PJSIP/100');
    expect(events[0]?.at).toBe(START + 100);
  });
});

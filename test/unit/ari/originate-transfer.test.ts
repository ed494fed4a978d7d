import { describe, expect, it } from 'vitest';
import type { CallEvent } from '../../../utils/calls/call-event';
import { replayCommand } from '../../../utils/cli/replay-command';
import { createAriTranslator } from '../../../utils/connectors/ari-translate';
import { expected, SAME } from './asterisk-cdr';
import { traceFrames, traceLines, traceNames } from './helpers';

const run = (name: string, endpoint: string): CallEvent[] => {
  const t = createAriTranslator({ endpoints: [endpoint] });
  return traceFrames(name).flatMap((f) => t.handle(JSON.stringify(f)));
};
const types = (events: CallEvent[]) => events.map((e) => e.type);

describe('click-to-call by Originate and attended transfer (synthetic traces)', () => {
  it('the synthetic traces say so on every line', () => {
    for (const name of traceNames().filter((n) => n.startsWith('s_'))) {
      expect(traceLines(name).every((l) => (JSON.parse(l) as { synthetic?: boolean }).synthetic === true), name).toBe(true);
    }
  });

  it('Originate: nothing while the phone rings for nobody; outbound from the user to the destination once its dialplan runs there; answered at the far end’s answer', () => {
    const events = run('s_originate_100_to_external', 'PJSIP/100');
    expect(types(events)).toEqual(['offered', 'ringing', 'answered', 'ended']);
    const [offered, , answered, ended] = events;
    expect(offered?.type === 'offered' && offered).toMatchObject({
      direction: 'outbound', variables: { calleridname: 'Alice Agent', calleridnumber: '100', exten: '02079460999', channel: 'PJSIP/100-0000003c' },
    });
    // The phone went Up at 00:30:02 (the user picked up); the call is answered when the callee did, 3 s later.
    expect((answered?.at ?? 0) - (offered?.at ?? 0)).toBe(2990);
    expect(ended?.type === 'ended' && ended.cdr).toMatchObject({ channel: 'PJSIP/100-0000003c', dstchannel: 'PJSIP/pstn-0000003d', dst: '02079460999' });
  });

  it('attended transfer: the transferer has the customer’s call and the consultation, both end; the target sees the customer take over its call', () => {
    const alice = run('s_attended_transfer_100_to_101', 'PJSIP/100');
    expect(alice.filter((e) => e.type === 'offered').map((e) => e.type === 'offered' && [e.direction, e.variables.calleridnumber])).toEqual([['inbound', '+15551234567'], ['internal', '100']]);
    expect(types(alice).filter((t) => t === 'ended')).toHaveLength(2);
    const bob = run('s_attended_transfer_100_to_101', 'PJSIP/101');
    expect(types(bob)).toEqual(['offered', 'ringing', 'answered', 'variables', 'ended']);
    expect(bob[0]?.type === 'offered' && bob[0]).toMatchObject({ direction: 'internal', variables: { calleridname: 'Alice Agent', calleridnumber: '100' } });
    expect(bob[3]?.type === 'variables' && bob[3].variables).toEqual({ calleridname: 'Carol Customer', calleridnumber: '+15551234567' });
  });

  it('never a pop for a Local channel, and the transfer target sees the customer, not the Local half or the first agent', () => {
    for (const name of traceNames()) {
      for (const endpoint of ['PJSIP/100', 'PJSIP/101']) {
        for (const e of run(name, endpoint)) if (e.type === 'offered') expect(e.variables.channel, name).toMatch(/^PJSIP\//);
      }
    }
    const bob = run('s_queue_local_attended_transfer_100_to_101', 'PJSIP/101');
    const last = bob.filter((e) => e.type === 'variables').pop();
    expect(last?.type === 'variables' && last.variables).toMatchObject({ calleridnumber: '+15551234567' });
  });
});

describe('ctipop replay --connector ari', () => {
  it('replays every trace into the calls that happened, for each phone, with Asterisk’s CDR fields', () => {
    for (const name of traceNames()) {
      for (const me of ['PJSIP/100', 'PJSIP/101']) {
        const { output, exitCode } = replayCommand(traceLines(name), { connector: 'ari', me: [me] });
        expect(exitCode).toBe(0);
        const cdrs = output.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>).filter((l) => l.event === 'cdr');
        const fields = (c: Partial<Record<string, string>>) => JSON.stringify(Object.fromEntries(SAME.map((k) => [k, c[k]])));
        expect(cdrs.map(fields).sort(), `${name} ${me}`).toEqual(expected(name, me).map((x) => fields(x.cdr)).sort());
      }
    }
  });
});

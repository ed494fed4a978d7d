import { describe, expect, it } from 'vitest';
import { parseCtipopApp } from '../../../utils/connectors/ari-frame-handlers';
import { createAriTranslator } from '../../../utils/connectors/ari-translate';
import { traceFrames } from './helpers';

type Frame = { type: string; timestamp: string; channel?: { name: string; state?: string }; variable?: string; value?: string };

/** Trace a with the admin's `Set(CTIPOP_APP=…)` on the trunk leg, right after the DID is matched. */
function withCtipopApp(value: string): Frame[] {
  const frames = traceFrames('a_inbound_answered_caller_hangup') as Frame[];
  const i = frames.findIndex((f) => f.type === 'ChannelDialplan' && f.channel?.name.startsWith('PJSIP/pstn'));
  const at = frames[i]!;
  return [...frames.slice(0, i + 1), { ...at, type: 'ChannelVarset', variable: 'CTIPOP_APP', value }, ...frames.slice(i + 1)];
}

describe('CTIPOP_APP: the dialplan convention that raises an application event under ARI', () => {
  it('reads type:name for every application type', () => {
    expect(parseCtipopApp('inbound_route:Sales DID')).toEqual({ type: 'inbound_route', name: 'Sales DID' });
    expect(parseCtipopApp(' timeout : After hours ')).toEqual({ type: 'timeout', name: 'After hours' });
    expect(parseCtipopApp('accounting:ACME')).toEqual({ type: 'accounting', name: 'ACME' });
    for (const bad of ['', 'Sales', 'nosuchtype:x', 'queue:', ':x']) expect(parseCtipopApp(bad), bad).toBeUndefined();
  });

  it('a CTIPOP_APP set on the trunk before the phone rings comes with the call; other variables stay on the unparsed fast path', () => {
    const t = createAriTranslator({ endpoints: ['PJSIP/100'] });
    const events = withCtipopApp('inbound_route:Sales DID').flatMap((f) => t.handle(JSON.stringify(f)));
    expect(events.filter((e) => e.type === 'application').map((e) => e.type === 'application' && e.application)).toEqual([{ type: 'inbound_route', name: 'Sales DID' }]);
    expect(events[0]?.type === 'offered' && events[0].variables).toMatchObject({ application: 'Sales DID', application_type: 'inbound_route' });
    // The trace's 54 ChannelVarset, 5 device states and 4 bridge frames are still dropped unparsed; CTIPOP_APP is read.
    expect(t.stats()).toMatchObject({ ignored: 63, malformed: 0 });
  });

  it('set after the call reached the user, it still raises the event (once); a bad value is ignored', () => {
    const frames = traceFrames('a_inbound_answered_caller_hangup') as Frame[];
    const pstn = frames.find((f) => f.type === 'ChannelDialplan' && f.channel?.name.startsWith('PJSIP/pstn'))!;
    const late = { ...pstn, type: 'ChannelVarset', variable: 'CTIPOP_APP', value: 'accounting:Premium' };
    const t = createAriTranslator({ endpoints: ['PJSIP/100'] });
    const answered = frames.findIndex((f) => f.type === 'ChannelStateChange' && f.channel?.name.startsWith('PJSIP/100') && f.channel.state === 'Up');
    const events = [...frames.slice(0, answered), late, late, { ...late, value: 'bogus' }, ...frames.slice(answered)].flatMap((f) => t.handle(JSON.stringify(f)));
    expect(events.map((e) => e.type)).toEqual(['offered', 'ringing', 'application', 'answered', 'ended']);
  });
});

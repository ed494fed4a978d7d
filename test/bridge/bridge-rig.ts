import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bridgeConfig, type BridgeConfig } from '../../bridge/config';
import { startEdge, type Edge } from '../../bridge/edge';
import type { EndpointTranslator } from '../../bridge/endpoint-translator';
import { startIngest, type Log } from '../../bridge/ingest';
import { connectNats, type NatsHandles } from '../../bridge/nats';
import { generateTokenKeys, issueToken } from '../../bridge/tokens';
import { createAriEmulator, type AriEmulator, type AriEmulatorOptions } from '../sim/ari/emulator';
import type { Scenario } from '../sim/scenario';
import { startSimulator, type Simulator } from '../sim/server';
import { startNatsCluster, type NatsCluster } from './nats-cluster';

export const PBX_ID = 'main';
export const ARI_APP = 'ctipop';

export interface RigOptions {
  endpoints: string[];
  edges?: number;
  /** Ingest instances (one holds the lease, the others stand by). */
  ingests?: number;
  allow?: BridgeConfig['control']['allow'];
  /** Send every call through `Stasis(ctipop-bridge)` (control tests). */
  stasis?: boolean;
  leaseMs?: number;
  log?: Log;
  translator?: (pbx: BridgeConfig['pbxs'][number]) => EndpointTranslator;
  /** The event stream's replicas (default 3). */
  streamReplicas?: number;
  /** Emulation options (benchmarks: `stampOnSend`). */
  emulation?: Pick<AriEmulatorOptions, 'stampOnSend' | 'scrambleMs'>;
}

type Ingest = ReturnType<typeof startIngest>;

/**
 * The bridge on real parts, in one process: a three-node nats-server cluster, the simulator's
 * ARI emulation as the PBX, N ingests and M edges, each with its own NATS connection (as separate
 * processes would have). Everything binds 127.0.0.1 on free ports; `close()` removes it all.
 */
export async function startBridgeRig(o: RigOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'ctipop-bridge-'));
  const keys = generateTokenKeys();
  writeFileSync(join(dir, 'public.pem'), keys.publicPem);
  writeFileSync(join(dir, 'private.pem'), keys.privatePem);
  const cluster: NatsCluster = await startNatsCluster();
  const emulator: AriEmulator = createAriEmulator({
    ...o.emulation,
    users: o.endpoints.map((endpoint) => ({ endpoint, name: `Agent ${endpoint.split('/').pop()}`, number: endpoint.split('/').pop()! })),
    // A click-to-dial call rings, is answered, dials out and hangs up within a second.
    dialTiming: { answerMs: 200, farRingMs: 100, farAnswerMs: 200, talkMs: 300 },
    // The lab dialplan: a call for PJSIP/100 waits in Stasis(ctipop-100) (scenario call ids are `<endpoint>#<n>`).
    ...(o.stasis ? { stasis: { app: (callId: string) => `${ARI_APP}-${callId.split('#')[0]!.split('/').pop()}`, calls: 'all' as const, deadlineMs: 4000 } } : {}),
  });
  const sim: Simulator = await startSimulator({ plugin: emulator });
  const log: Log = o.log ?? (() => undefined);
  const config = bridgeConfig.parse({
    nats: { servers: cluster.urls },
    stream: { maxAgeSec: 3600, ...(o.streamReplicas ? { replicas: o.streamReplicas } : {}) },
    tokens: { publicKeyFile: 'public.pem', privateKeyFile: 'private.pem' },
    pbxs: [{ id: PBX_ID, ariUrl: sim.url, ariKey: 'cti:secret', app: ARI_APP, endpoints: o.endpoints, holdMs: 2000, dial: { context: 'from-internal' } }],
    ingest: { leaseMs: o.leaseMs ?? 1500 },
    edge: { port: 0, heartbeatMs: 5000 },
    control: { allow: o.allow ?? [] },
  });
  const handles: NatsHandles[] = [];
  const nats = async (name: string) => {
    const h = await connectNats(config, dir, name);
    handles.push(h);
    return h;
  };
  const ingests: (Ingest | undefined)[] = [];
  const startOneIngest = async (i: number) => {
    ingests[i] = startIngest({ config, baseDir: dir, pbx: config.pbxs[0]!, nats: await nats(`ingest-${i}`), instance: `ingest-${i}-${Date.now()}`, log, translator: o.translator });
  };
  for (let i = 0; i < (o.ingests ?? 1); i++) await startOneIngest(i);
  const edges: (Edge | undefined)[] = [];
  const startOneEdge = async (i: number, port = 0) => {
    const edge = await startEdge({ config: { ...config, edge: { ...config.edge, serverId: `edge-${i}` } }, baseDir: dir, nats: await nats(`edge-${i}`), log, port });
    edges[i] = edge;
    return edge;
  };
  for (let i = 0; i < (o.edges ?? 1); i++) await startOneEdge(i);
  await waitFor(() => ingests.some((x) => x?.isActive()) && emulator.state().clients.length > 0, 15_000, 'an ingest to hold the lease and connect to ARI');

  return {
    cluster,
    emulator,
    sim,
    config,
    ingests,
    edges,
    /** A token for `user` covering `endpoints` (default: valid for an hour). */
    token: (endpoints: string[], ttlMs = 3_600_000, user = endpoints.join('+')) => issueToken(keys.privatePem, { user, pbx: PBX_ID, endpoints, ttlMs, now: Date.now() }),
    /** A token signed with a key this bridge does not know. */
    foreignToken: (endpoints: string[]) => issueToken(generateTokenKeys().privatePem, { user: 'mallory', pbx: PBX_ID, endpoints, ttlMs: 3_600_000, now: Date.now() }).token,
    async revoke(tokenId: string) {
      await handles[0]!.revoked.put(tokenId, JSON.stringify({ at: new Date().toISOString() }));
    },
    play(s: Scenario, speed = 1) {
      const run = sim.play(s, { speed });
      if (!run.ok) throw new Error(run.error);
      return run.value;
    },
    /** Stops an edge abruptly: its clients' sockets are destroyed, no goodbye. */
    async killEdge(i: number) {
      await edges[i]?.close();
      edges[i] = undefined;
    },
    startEdge: startOneEdge,
    /** Stops an ingest without giving up its lease (as a crash would): a standby or a restart must wait for it to lapse. */
    async crashIngest(i: number) {
      await ingests[i]?.stop(false);
      ingests[i] = undefined;
    },
    startIngest: startOneIngest,
    async close() {
      for (const e of edges) await e?.close();
      for (const i of ingests) await i?.stop(false);
      for (const h of handles) await h.nc.close().catch(() => undefined);
      await sim.close();
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type BridgeRig = Awaited<ReturnType<typeof startBridgeRig>>;

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

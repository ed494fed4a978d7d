import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { connect, DiscardPolicy, RetentionPolicy, StorageType, type KV, type NatsConnection } from 'nats';
import { readSecret, type BridgeConfig } from './config';
import { EVENT_SUBJECTS } from './subjects';

/** KV buckets: calls = snapshot state per PBX; ingest = leases and translator state; revoked = token ids. */
export const BUCKETS = { calls: 'ctipop-calls', ingest: 'ctipop-ingest', revoked: 'ctipop-revoked' } as const;

export interface NatsHandles {
  nc: NatsConnection;
  js: ReturnType<NatsConnection['jetstream']>;
  calls: KV;
  ingest: KV;
  revoked: KV;
  /** Time the stream was created: part of resume tokens, so a re-created stream's sequences are never confused with the old one's. */
  streamEpoch: string;
}

export async function connectNats(config: BridgeConfig, baseDir: string, name: string): Promise<NatsHandles> {
  const n = config.nats;
  const nc = await connect({
    servers: n.servers,
    name,
    user: n.user,
    pass: n.pass === undefined ? undefined : readSecret(n.pass, baseDir),
    tls: n.caFile ? { caFile: resolve(baseDir, n.caFile) } : undefined,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 5000,
  });
  const jsm = await nc.jetstreamManager();
  const s = config.stream;
  const wanted = {
    name: s.name,
    subjects: [EVENT_SUBJECTS],
    num_replicas: s.replicas,
    max_age: s.maxAgeSec * 1e9,
    duplicate_window: s.duplicateWindowSec * 1e9,
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
  };
  let info;
  try {
    info = await jsm.streams.info(s.name);
    if (info.config.max_age !== wanted.max_age || info.config.duplicate_window !== wanted.duplicate_window) info = await jsm.streams.update(s.name, { ...info.config, max_age: wanted.max_age, duplicate_window: wanted.duplicate_window });
  } catch {
    info = await jsm.streams.add(wanted);
  }
  const js = nc.jetstream();
  const kv = (bucket: string, history = 1) => js.views.kv(bucket, { replicas: s.replicas, history });
  const [calls, ingest, revoked] = await Promise.all([kv(BUCKETS.calls), kv(BUCKETS.ingest), kv(BUCKETS.revoked)]);
  return { nc, js, calls, ingest, revoked, streamEpoch: String(Date.parse(info.created)) };
}

export function readKey(path: string, baseDir: string): string {
  return readFileSync(resolve(baseDir, path), 'utf8');
}

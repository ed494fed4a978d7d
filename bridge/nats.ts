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

/**
 * Retries a JetStream API call while the cluster is electing a leader (a node just died: API
 * requests time out or find no leader for a few seconds), up to `deadlineMs`.
 */
export async function jsRetry<T>(fn: () => Promise<T>, deadlineMs = 30_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      const transient = /TIMEOUT|timeout|no responders|503|leader|not ready|unavailable/i.test(`${(error as { code?: string }).code ?? ''} ${(error as Error).message}`);
      if (!transient || Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
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
  const jsm = await jsRetry(() => nc.jetstreamManager());
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
  const info = await jsRetry(async () => {
    const existing = await jsm.streams.info(s.name).catch((error: Error) => {
      if (/not found/i.test(error.message)) return undefined;
      throw error;
    });
    if (!existing) return jsm.streams.add(wanted);
    if (existing.config.max_age === wanted.max_age && existing.config.duplicate_window === wanted.duplicate_window) return existing;
    return jsm.streams.update(s.name, { ...existing.config, max_age: wanted.max_age, duplicate_window: wanted.duplicate_window });
  });
  const js = nc.jetstream();
  const kv = (bucket: string, history = 1) => jsRetry(() => js.views.kv(bucket, { replicas: s.replicas, history }));
  const [calls, ingest, revoked] = await Promise.all([kv(BUCKETS.calls), kv(BUCKETS.ingest), kv(BUCKETS.revoked)]);
  return { nc, js, calls, ingest, revoked, streamEpoch: String(Date.parse(info.created)) };
}

export function readKey(path: string, baseDir: string): string {
  return readFileSync(resolve(baseDir, path), 'utf8');
}

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { ROUTE_TYPES } from '../utils/reply/reply-schema';

const secretRef = z.object({ file: z.string() }).or(z.object({ env: z.string() })).or(z.string().min(1));

const pbx = z.object({
  /** Short id, part of every subject and token: letters, digits, `-`. */
  id: z.string().regex(/^[A-Za-z0-9-]{1,32}$/),
  /** ARI base, e.g. `https://pbx.example.com:8089`. */
  ariUrl: z.string().url(),
  /** ARI `user:password` (write access when control is used), or `{file}` / `{env}` holding it. */
  ariKey: secretRef,
  /**
   * Stasis application prefix, as in the extension's ARI settings: the dialplan hands a call for
   * PJSIP/100 to `Stasis(ctipop-100)`; the ingest registers one application per endpoint.
   */
  app: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('ctipop'),
  endpoints: z.array(z.string().min(1)).min(1),
  trunks: z.array(z.string()).default([]),
  queues: z.array(z.string()).default([]),
  /** How long a call waits in Stasis for a browser's reply before it continues unchanged. */
  holdMs: z.number().int().positive().default(2000),
  /**
   * Click-to-dial (`dial` frames): the dialplan context the number is dialled in once the phone
   * answers, the caller ID the phone shows while it rings (empty: the number), and how long it
   * rings. Absent: `dial` is refused for this PBX.
   */
  dial: z.object({
    context: z.string().regex(/^[A-Za-z0-9_.-]{1,80}$/),
    callerId: z.string().max(80).regex(/^[^\x00-\x1F\x7F]*$/).default(''),
    ringTimeoutS: z.number().int().min(5).max(120).default(30),
  }).optional(),
});

export const bridgeConfig = z.object({
  nats: z.object({
    servers: z.array(z.string()).min(1),
    user: z.string().optional(),
    pass: secretRef.optional(),
    /** Certificate authority for `tls://` servers. */
    caFile: z.string().optional(),
  }),
  stream: z.object({
    name: z.string().regex(/^[A-Za-z0-9_-]+$/).default('CTIPOP'),
    replicas: z.number().int().min(1).max(5).default(3),
    /** Events older than this are dropped; resume further back gets a snapshot instead. */
    maxAgeSec: z.number().int().positive().default(86_400),
    /** Nats-Msg-Id de-duplication window: a re-published event within it is stored once. */
    duplicateWindowSec: z.number().int().positive().default(120),
  }).prefault({}),
  tokens: z.object({
    /** Ed25519 public key (PEM): edges verify tokens with it. */
    publicKeyFile: z.string(),
    /** Ed25519 private key (PEM): only the admin command needs it. */
    privateKeyFile: z.string().optional(),
  }),
  pbxs: z.array(pbx).default([]),
  ingest: z.object({
    /** A lease not renewed for this long is taken over by a standby ingest. */
    leaseMs: z.number().int().min(500).default(3000),
    instance: z.string().optional(),
  }).prefault({}),
  edge: z.object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8780),
    /** WebSocket path (`json-ws` URL); SSE is served at `<path>/events` (`json-sse` URL). */
    path: z.string().startsWith('/').default('/ctipop'),
    heartbeatMs: z.number().int().positive().max(60_000).default(15_000),
    /** Recent events kept in memory per edge for resuming clients. */
    replayEvents: z.number().int().positive().default(200_000),
    serverId: z.string().optional(),
  }).prefault({}),
  control: z.object({
    /**
     * Which routes a browser's reply may ask for: a route type and the targets allowed for it
     * (`*` = any). Types not listed are refused. `set` values are always allowed.
     */
    allow: z.array(z.object({ type: z.enum(ROUTE_TYPES), targets: z.array(z.string().min(1)).min(1) })).default([]),
  }).prefault({}),
});

export type BridgeConfig = z.infer<typeof bridgeConfig>;
export type PbxConfig = z.infer<typeof pbx>;

/** Reads a secret given inline, as `{file}` (relative to the config file) or as `{env}`. */
export function readSecret(ref: z.infer<typeof secretRef>, baseDir: string): string {
  if (typeof ref === 'string') return ref;
  if ('file' in ref) return readFileSync(resolve(baseDir, ref.file), 'utf8').trim();
  const value = process.env[ref.env];
  if (!value) throw new Error(`environment variable ${ref.env} is not set`);
  return value;
}

export function loadConfig(path: string): { config: BridgeConfig; baseDir: string } {
  const baseDir = dirname(resolve(path));
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the bridge config ${path}: ${(error as Error).message}`);
  }
  const parsed = bridgeConfig.safeParse(json);
  if (!parsed.success) throw new Error(`bridge config ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { config: parsed.data, baseDir };
}

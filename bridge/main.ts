import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from './config';
import { startEdge } from './edge';
import { startIngest, type Log } from './ingest';
import { connectNats, readKey } from './nats';
import { generateTokenKeys, issueToken } from './tokens';

const USAGE = `CTI Pop bridge
  npm run bridge -- --config FILE [--role all|ingest|edge] [--port N]
  npm run bridge -- keys --out DIR                      (Ed25519 key pair for tokens)
  npm run bridge -- token issue --config FILE --user NAME --pbx ID --endpoint PJSIP/100 [--endpoint …] [--ttl 30d]
  npm run bridge -- token revoke --config FILE --id TOKEN-ID [--reason TEXT]`;

const log: Log = (event, fields = {}) => console.log(JSON.stringify({ at: new Date().toISOString(), event, ...fields }));

/** `90s`, `15m`, `12h`, `30d` → ms. */
export function parseTtl(text: string): number {
  const m = /^(\d+)([smhd])$/.exec(text);
  if (!m) throw new Error(`--ttl must look like 90s, 15m, 12h or 30d, not "${text}"`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

async function main(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' }, role: { type: 'string', default: 'all' }, port: { type: 'string' }, out: { type: 'string' },
      user: { type: 'string' }, pbx: { type: 'string' }, endpoint: { type: 'string', multiple: true }, ttl: { type: 'string', default: '30d' },
      id: { type: 'string' }, reason: { type: 'string' }, help: { type: 'boolean' },
    },
  });
  if (values.help) return console.log(USAGE);
  if (positionals[0] === 'keys') {
    if (!values.out) throw new Error('keys needs --out DIR');
    mkdirSync(values.out, { recursive: true });
    const k = generateTokenKeys();
    writeFileSync(join(values.out, 'token-private.pem'), k.privatePem, { mode: 0o600 });
    writeFileSync(join(values.out, 'token-public.pem'), k.publicPem);
    return console.log(`wrote ${join(values.out, 'token-private.pem')} (admin only) and ${join(values.out, 'token-public.pem')} (edges)`);
  }
  if (!values.config) throw new Error(`--config FILE is required\n${USAGE}`);
  const { config, baseDir } = loadConfig(values.config);

  if (positionals[0] === 'token') {
    if (positionals[1] === 'issue') {
      if (!config.tokens.privateKeyFile) throw new Error('tokens.privateKeyFile is not set in the config');
      if (!values.user || !values.pbx || !values.endpoint?.length) throw new Error('token issue needs --user, --pbx and at least one --endpoint');
      const pbx = config.pbxs.find((p) => p.id === values.pbx);
      if (!pbx) throw new Error(`no PBX "${values.pbx}" in the config`);
      const unknown = values.endpoint.filter((e) => !pbx.endpoints.includes(e));
      if (unknown.length) throw new Error(`PBX ${pbx.id} has no endpoint ${unknown.join(', ')}`);
      const { token, claims } = issueToken(readKey(config.tokens.privateKeyFile, baseDir), { user: values.user, pbx: pbx.id, endpoints: values.endpoint, ttlMs: parseTtl(values.ttl!), now: Date.now() });
      console.error(`token id ${claims.jti} for ${claims.sub} (${claims.endpoints.join(', ')}), expires ${new Date(claims.exp).toISOString()}`);
      return console.log(token);
    }
    if (positionals[1] === 'revoke') {
      if (!values.id) throw new Error('token revoke needs --id TOKEN-ID');
      const nats = await connectNats(config, baseDir, 'ctipop-admin');
      await nats.revoked.put(values.id, JSON.stringify({ at: new Date().toISOString(), reason: values.reason ?? '' }));
      await nats.nc.drain();
      return console.log(`revoked ${values.id}; edges close its connections now`);
    }
    throw new Error(USAGE);
  }

  const role = values.role;
  if (!['all', 'ingest', 'edge'].includes(role!)) throw new Error(`--role must be all, ingest or edge`);
  const nats = await connectNats(config, baseDir, `ctipop-bridge-${role}`);
  const instance = config.ingest.instance ?? `${hostname()}-${process.pid}`;
  const ingests = role === 'edge' ? [] : config.pbxs.map((pbx) => startIngest({ config, baseDir, pbx, nats, instance, log }));
  const edge = role === 'ingest' ? undefined : await startEdge({ config, baseDir, nats, log, port: values.port ? Number(values.port) : undefined });
  const stop = async () => {
    await Promise.all(ingests.map((i) => i.stop()));
    await edge?.close();
    await nats.nc.drain();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main(process.argv.slice(2)).catch((error) => {
  console.error(`ctipop-bridge: ${(error as Error).message}`);
  process.exit(1);
});

import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';

/**
 * Per-user tokens: `ctp1.<claims>.<signature>`, base64url, signed with Ed25519. The admin command
 * holds the private key; edges hold only the public key, so a compromised edge cannot mint
 * tokens. Expiry is in the claims; revocation is a key in the `ctipop-revoked` KV bucket.
 */
export const tokenClaims = z.object({
  v: z.literal(1),
  /** Token id: what a revocation names. */
  jti: z.string().min(1).max(64),
  /** The user, for logs and audits. */
  sub: z.string().min(1).max(128),
  pbx: z.string().min(1).max(64),
  endpoints: z.array(z.string().min(1).max(128)).min(1).max(64),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type TokenClaims = z.infer<typeof tokenClaims>;

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; code: 'token-malformed' | 'token-forged' | 'token-expired'; message: string };

const PREFIX = 'ctp1';
const b64 = (b: Buffer) => b.toString('base64url');

export function generateTokenKeys(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

export function issueToken(privatePem: string, o: { user: string; pbx: string; endpoints: string[]; ttlMs: number; now: number }): { token: string; claims: TokenClaims } {
  const claims = tokenClaims.parse({ v: 1, jti: randomUUID(), sub: o.user, pbx: o.pbx, endpoints: o.endpoints, iat: o.now, exp: o.now + o.ttlMs });
  const body = b64(Buffer.from(JSON.stringify(claims)));
  const signature = sign(null, Buffer.from(`${PREFIX}.${body}`), createPrivateKey(privatePem));
  return { token: `${PREFIX}.${body}.${b64(signature)}`, claims };
}

/** A verifier bound to one public key (parsed once). */
export function tokenVerifier(publicPem: string) {
  const key: KeyObject = createPublicKey(publicPem);
  return (token: string | undefined, now: number): TokenCheck => {
    const parts = (token ?? '').split('.');
    if (parts.length !== 3 || parts[0] !== PREFIX || !parts[1] || !parts[2]) return { ok: false, code: 'token-malformed', message: 'this is not a CTI Pop bridge token (expected ctp1.<claims>.<signature>)' };
    const signed = Buffer.from(`${PREFIX}.${parts[1]}`);
    let good = false;
    try {
      good = verify(null, signed, key, Buffer.from(parts[2], 'base64url'));
    } catch {
      good = false;
    }
    if (!good) return { ok: false, code: 'token-forged', message: 'the token signature is not valid for this bridge' };
    let claims: TokenClaims;
    try {
      claims = tokenClaims.parse(JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')));
    } catch {
      return { ok: false, code: 'token-malformed', message: 'the token claims are unreadable' };
    }
    if (claims.exp <= now) return { ok: false, code: 'token-expired', message: `the token expired at ${new Date(claims.exp).toISOString()}; ask your administrator for a new one` };
    return { ok: true, claims };
  };
}

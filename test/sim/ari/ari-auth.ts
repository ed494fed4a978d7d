import type { IncomingMessage } from 'node:http';

export interface AriCredential {
  username: string;
  password: string;
  /** ari.conf `read_only = yes`: events and GETs, but every POST/DELETE is refused (403). */
  readOnly?: boolean;
}

/** The lab's ARI users; tests and the demo use these unless the emulator is given others. */
export const DEFAULT_ARI_CREDENTIALS: AriCredential[] = [
  { username: 'cti', password: 'secret' },
  { username: 'viewer', password: 'secret', readOnly: true },
];

/**
 * Authenticates as Asterisk does: an `Authorization: Basic` header wins, and a wrong one fails even
 * with a right `api_key` beside it; otherwise `api_key=user:password` from the query string.
 */
export function authenticate(req: IncomingMessage, url: URL, users: AriCredential[]): AriCredential | undefined {
  const header = req.headers.authorization;
  let pair: string | null;
  if (header !== undefined) {
    const m = /^Basic\s+(\S+)$/i.exec(header);
    pair = m?.[1] ? Buffer.from(m[1], 'base64').toString('utf8') : null;
  } else {
    pair = url.searchParams.get('api_key');
  }
  if (pair === null) return undefined;
  const colon = pair.indexOf(':');
  if (colon < 0) return undefined;
  const username = pair.slice(0, colon);
  const password = pair.slice(colon + 1);
  return users.find((u) => u.username === username && u.password === password);
}

import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { findContact, loadContactBook, lookupReply, type ContactBook } from './crm-contacts';
import { popPage } from './crm-pop-page';
import { readBody, sendJson } from './http-json';
import { parseCrmMode, type CrmModes } from './crm-modes';

export type { CrmModes } from './crm-modes';

export interface CrmRequest {
  kind: 'lookup' | 'pop' | 'postcall' | 'preflight' | 'other';
  method: string;
  path: string;
  /** The query string exactly as received, without `?`. */
  rawQuery: string;
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  at: number;
  body?: string;
  idempotencyKey?: string;
  /** The client's port: which connection the request came on. */
  clientPort?: number;
  /** How the exchange ended: the whole answer written, or the connection closed before that. */
  ended?: 'answered' | 'closed-early';
}

export interface CrmLog {
  requests: CrmRequest[];
  /** Post-call requests per Idempotency-Key ('' = none sent); a count above 1 is a duplicate. */
  postcallCounts: Record<string, number>;
}

export interface DemoCrmOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Port of the control server, which stays up while the CRM is `down` (0 = free port). */
  controlPort?: number;
  contacts?: ContactBook;
  now?: () => number;
}

export interface DemoCrm {
  port: number;
  url: string;
  /** Same /control/* API, on a port that survives `down`. */
  controlUrl: string;
  log(): CrmLog;
  reset(): Promise<void>;
  modes(): CrmModes;
  /** Changes modes; `down: true` closes the listening socket, `down: false` reopens it on the same port. */
  setMode(change: Partial<CrmModes> & { down?: boolean }): Promise<void>;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

const NORMAL: CrmModes = { slow: 0, fail: null, hang: false, frameable: true, redirect: null, slowBody: 0, reply: null, paths: null };
/**
 * A cross-origin caller (the extension without host permission for this origin) sees only the
 * safelisted response headers; Retry-After must be exposed, or its 429/503 answers lose it.
 */
const CORS = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': 'Retry-After' };

/** Starts the demo CRM on 127.0.0.1: `/cti/lookup`, `/pop`, `/postcall` and `/control/*`. */
export async function startDemoCrm(opts: DemoCrmOptions = {}): Promise<DemoCrm> {
  const now = opts.now ?? Date.now;
  const book = opts.contacts ?? loadContactBook();
  let modes: CrmModes = { ...NORMAL };
  let requests: CrmRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const wait = (ms: number) => new Promise<void>((resolve) => {
    const t = setTimeout(() => { timers.delete(t); resolve(); }, ms);
    timers.add(t);
  });

  const crm = createServer((req, res) => void serveCrm(req, res));
  const control = createServer((req, res) => void serveControl(req, res));
  crm.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function serveCrm(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/control/')) return serveControl(req, res);
    const rawQuery = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1) : '';
    const kind: CrmRequest['kind'] = req.method === 'OPTIONS' ? 'preflight' : url.pathname === '/cti/lookup' ? 'lookup' : url.pathname === '/pop' ? 'pop' : url.pathname === '/postcall' ? 'postcall' : 'other';
    const body = req.method === 'POST' ? await readBody(req, 1 << 20) : undefined;
    const key = req.headers['idempotency-key'];
    const logged: CrmRequest = {
      kind, method: req.method ?? '', path: url.pathname, rawQuery, params: Object.fromEntries(url.searchParams), headers: req.headers, at: now(),
      ...(body?.ok ? { body: body.value } : {}),
      ...(typeof key === 'string' ? { idempotencyKey: key } : {}),
      ...(req.socket.remotePort !== undefined ? { clientPort: req.socket.remotePort } : {}),
    };
    requests.push(logged);
    res.on('close', () => void (logged.ended = res.writableFinished ? 'answered' : 'closed-early'));
    if (kind === 'preflight') {
      res.writeHead(204, { ...CORS, 'Access-Control-Allow-Methods': 'GET, POST, OPTIONS', 'Access-Control-Allow-Headers': 'Idempotency-Key, Content-Type, Authorization', 'Access-Control-Max-Age': '600' }).end();
      return;
    }
    const m = modes.paths === null || modes.paths.includes(url.pathname) ? modes : NORMAL;
    if (m.hang) return; // never answered; the socket is destroyed on close()
    if (m.slow > 0) await wait(m.slow);
    if (m.redirect !== null) {
      res.writeHead(302, { ...CORS, Location: `${m.redirect.replace(/\/$/, '')}${req.url ?? '/'}` }).end();
      return;
    }
    if (m.fail !== null) {
      res.writeHead(m.fail.status, { ...CORS, 'Content-Type': 'text/plain', ...(m.fail.retryAfter !== undefined ? { 'Retry-After': m.fail.retryAfter } : {}) }).end(`demo CRM failing with ${m.fail.status} on purpose`);
      return;
    }
    const contact = findContact(book, url.searchParams);
    const reply =
      kind === 'lookup' && m.reply ? { type: m.reply.contentType, text: Buffer.from(m.reply.base64, 'base64'), headers: {} }
      : kind === 'lookup' ? { type: 'application/xml; charset=utf-8', text: lookupReply(contact), headers: {} }
      : kind === 'pop' ? { type: 'text/html; charset=utf-8', text: popPage(rawQuery, [...url.searchParams], contact), headers: m.frameable ? {} : { 'X-Frame-Options': 'DENY', 'Content-Security-Policy': "frame-ancestors 'none'" } }
      : kind === 'postcall' ? { type: 'text/plain; charset=utf-8', text: 'OK', headers: {} }
      : undefined;
    if (!reply) {
      res.writeHead(404, { ...CORS, 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { ...CORS, 'Content-Type': reply.type, 'Cache-Control': 'no-store', ...reply.headers });
    if (m.slowBody <= 0) return void res.end(reply.text);
    // Trickle the body in 8 pieces so a client's body timeout (not only its header timeout) is tested.
    const bytes = Buffer.from(reply.text);
    for (let i = 0; i < 8; i++) {
      await wait(m.slowBody / 8);
      if (res.destroyed) return;
      res.write(bytes.subarray(Math.floor((i * bytes.length) / 8), Math.floor(((i + 1) * bytes.length) / 8)));
    }
    res.end();
  }

  async function serveControl(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method === 'OPTIONS') return void res.writeHead(204, { ...CORS, 'Access-Control-Allow-Methods': 'GET, POST', 'Access-Control-Allow-Headers': 'Content-Type' }).end();
    if (path === '/control/log' && req.method === 'GET') return sendJson(res, 200, api.log(), CORS);
    if (path === '/control/mode' && req.method === 'GET') return sendJson(res, 200, modes, CORS);
    if (path === '/control/reset' && req.method === 'POST') {
      await api.reset();
      return sendJson(res, 200, { ok: true }, CORS);
    }
    if (path === '/control/mode' && req.method === 'POST') {
      const body = await readBody(req);
      const change = body.ok ? parseCrmMode(body.value) : body;
      if (!change.ok) return sendJson(res, 400, change, CORS);
      await api.setMode(change.value);
      return sendJson(res, 200, { ok: true, modes, down: !crm.listening }, CORS);
    }
    sendJson(res, 404, { ok: false, error: `no control action ${req.method} ${path}` }, CORS);
  }

  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const port = await listen(crm, opts.port ?? 0);
  const controlPort = await listen(control, opts.controlPort ?? 0);

  const api: DemoCrm = {
    port,
    url: `http://127.0.0.1:${port}`,
    controlUrl: `http://127.0.0.1:${controlPort}`,
    log() {
      const postcallCounts: Record<string, number> = {};
      for (const r of requests) if (r.kind === 'postcall') postcallCounts[r.idempotencyKey ?? ''] = (postcallCounts[r.idempotencyKey ?? ''] ?? 0) + 1;
      return { requests: [...requests], postcallCounts };
    },
    async reset() {
      requests = [];
      modes = { ...NORMAL };
      await api.up();
    },
    modes: () => ({ ...modes }),
    async setMode({ down, ...change }) {
      modes = { ...modes, ...change };
      if (down === true) await api.down();
      if (down === false) await api.up();
    },
    async down() {
      if (!crm.listening) return;
      const closed = new Promise<void>((resolve) => crm.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
    async up() {
      if (!crm.listening) await listen(crm, port);
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      await api.down();
      const closed = new Promise<void>((resolve) => control.close(() => resolve()));
      control.closeAllConnections();
      await closed;
    },
  };
  return api;
}

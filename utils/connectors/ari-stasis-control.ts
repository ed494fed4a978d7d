import type { ReplyActions } from '../engine/cti-engine';
import { ariControlRequests, ariRequestUrl, type AriRequest, type RouteMap } from './ari-control';
import type { ControlResult } from './connector';

/** A call held in Stasis continues by itself after this, whatever the lookups are doing. */
const STASIS_GRACE_MS = 1000;
/** One ARI REST request may take this long; a hung PBX must not keep a caller parked. */
const REST_TIMEOUT_MS = 3000;

export interface AriStasisControlOptions {
  /** ARI base, e.g. `https://pbx:8089`. */
  url: string;
  /** `user:password`. */
  secret: string;
  /** Is this channel parked in one of our Stasis applications? (`StasisStart` names it.) */
  isOurApp: (app: string) => boolean;
  /** The channel our Stasis app holds for this call, if any (the translator knows). */
  controlChannel: (callId: string) => string | undefined;
  /** How long the caller may wait in Stasis for the lookups before continuing unchanged. */
  holdMs: number;
  routes?: Partial<RouteMap>;
  fetch?: typeof fetch;
}

/**
 * Applying CTI replies to calls parked in our Stasis application(s), shared by the extension's ARI
 * connector and the bridge's ingest: set the variables, always continue (the caller must never
 * stay parked), a deadline that continues unchanged when nobody spoke in time, and orphans (calls
 * parked while nobody was listening) continued after every reconnect.
 */
export function createAriStasisControl(opts: AriStasisControlOptions) {
  const doFetch: typeof fetch = (input, init) => (opts.fetch ?? fetch)(input, init);
  const released = new Set<string>();
  const deadlines = new Map<string, ReturnType<typeof setTimeout>>();
  let orphanCheck: ReturnType<typeof setTimeout> | undefined;

  // The key goes in the query, as on the event socket, not in an Authorization header: a header
  // makes a cross-origin request "preflighted", and Asterisk answers every preflight 401 (it
  // carries no credentials). So REST works both with the host permission and, without it, from
  // an origin listed in ari.conf `allowed_origins`.
  const keyed = (url: string) => {
    const u = new URL(url);
    u.searchParams.set('api_key', opts.secret);
    return u.href;
  };

  async function send(channelId: string, r: AriRequest): Promise<string | undefined> {
    let response: Response;
    try {
      response = await doFetch(keyed(ariRequestUrl(opts.url, r)), { method: r.method, credentials: 'omit', cache: 'no-store', signal: AbortSignal.timeout(REST_TIMEOUT_MS) });
    } catch (error) {
      return `ARI unreachable: ${(error as Error).message}`;
    }
    if (response.status === 403) return 'the ARI user may not write (read_only); use a write-capable user for control mode';
    if (response.status === 404) return `channel ${channelId} is gone`;
    if (!response.ok) return `ARI answered HTTP ${response.status} to ${r.path}`;
    return undefined;
  }

  /** Sets the variables, stopping at the first failure, and then always asks for the continue. */
  async function post(channelId: string, requests: AriRequest[]): Promise<ControlResult> {
    let failed: string | undefined;
    for (const r of requests) {
      const isContinue = r.path.endsWith('/continue');
      if (failed && !isContinue) continue;
      const reason = await send(channelId, r);
      failed ??= reason;
    }
    return failed ? { ok: false, reason: failed } : { ok: true };
  }

  /** Never leave a caller stuck in Stasis: continue unchanged when the engine has not spoken in time. */
  function hold(callId: string) {
    if (deadlines.has(callId)) return;
    deadlines.set(callId, setTimeout(() => void release(callId, { set: {}, route: null, break: false }), opts.holdMs + STASIS_GRACE_MS));
  }

  async function release(callId: string, actions: ReplyActions): Promise<ControlResult> {
    clearTimeout(deadlines.get(callId));
    deadlines.delete(callId);
    const channel = opts.controlChannel(callId);
    if (!channel) return { ok: false, reason: 'the call is not held in our Stasis application' };
    if (released.has(channel)) return { ok: false, reason: 'the call had already continued (deadline passed)' };
    released.add(channel);
    return post(channel, ariControlRequests(channel, actions, opts.routes));
  }

  /**
   * Calls parked in our Stasis app that nobody in this life is handling: their lookup and deadline
   * died with a stopped worker (or ingest), and Asterisk has no timeout of its own in `Stasis()`.
   * They continue unchanged now.
   */
  function continueOrphans(channels: unknown[]) {
    const parked: string[] = [];
    for (const raw of channels) {
      const ch = raw as { id?: unknown; dialplan?: { app_name?: unknown; app_data?: unknown } };
      if (typeof ch.id === 'string' && ch.dialplan?.app_name === 'Stasis' && opts.isOurApp(String(ch.dialplan.app_data ?? '').split(',')[0]!)) parked.push(ch.id);
    }
    if (!parked.length) return;
    // A call parked just as we connected is in the list and its StasisStart is on the socket,
    // maybe still behind the list's answer: it gets a grace to be taken up (held) before it counts as an orphan.
    clearTimeout(orphanCheck); // the newer list names every call still parked
    orphanCheck = setTimeout(() => {
      const held = new Set([...deadlines.keys()].map((callId) => opts.controlChannel(callId)));
      for (const id of parked) {
        if (released.has(id) || held.has(id)) continue;
        released.add(id);
        void post(id, ariControlRequests(id, { set: {}, route: null, break: false }, opts.routes));
      }
    }, STASIS_GRACE_MS);
  }

  return {
    hold,
    release,
    continueOrphans,
    /** Drops every deadline (shutdown). */
    close() {
      for (const t of deadlines.values()) clearTimeout(t);
      deadlines.clear();
      clearTimeout(orphanCheck);
    },
  };
}

export type AriStasisControl = ReturnType<typeof createAriStasisControl>;

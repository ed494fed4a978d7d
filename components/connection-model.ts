import type { ConnectionHealth } from '@/utils/view-state';

export type Tone = 'ok' | 'warn' | 'error' | 'idle';

export interface ConnectionSummary {
  tone: Tone;
  /** i18n key and its substitutions. */
  key: string;
  subs: (string | number)[];
}

/**
 * What the connection pill says: "Connected", "Reconnecting in 4 s", "Error: <reason>".
 *
 * @example connectionSummary({ state: 'reconnecting', since: 0, nextRetryAt: 4_200 }, 1_000) // → conn_reconnecting_in, [4]
 */
export function connectionSummary(health: ConnectionHealth, now: number): ConnectionSummary {
  switch (health.state) {
    case 'connected':
      return { tone: 'ok', key: 'conn_connected', subs: [] };
    case 'connecting':
      return { tone: 'warn', key: 'conn_connecting', subs: [] };
    case 'reconnecting':
      return health.nextRetryAt === undefined
        ? { tone: 'warn', key: 'conn_reconnecting', subs: [] }
        : { tone: 'warn', key: 'conn_reconnecting_in', subs: [Math.max(0, Math.ceil((health.nextRetryAt - now) / 1000))] };
    case 'error':
      return { tone: 'error', key: 'conn_error', subs: [health.lastError ?? '?'] };
    default:
      return { tone: 'idle', key: 'conn_unconfigured', subs: [] };
  }
}

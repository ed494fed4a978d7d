import type { Scenario } from '../sim/scenario';

/**
 * One inbound call per (endpoint, n): offer, ring, answer, hang up — the caller number encodes
 * both, so a client can tell its calls apart and count them. `ms` scales the call's length.
 */
export function inboundCalls(name: string, calls: { endpoint: string; n: number }[], ms = { ring: 50, answer: 400, hangup: 900 }): Scenario {
  return {
    name,
    description: 'bridge test calls',
    calls: calls.map(({ endpoint, n }) => ({
      id: `${endpoint}#${n}`,
      from: { number: callerNumber(endpoint, n), name: '' },
      to: { number: '+4930555000', name: '' },
      accountcode: '',
      steps: [
        { at: 0, do: 'offer' as const },
        { at: ms.ring, do: 'ring' as const, endpoints: [endpoint] },
        { at: ms.answer, do: 'answer' as const, endpoint },
        { at: ms.hangup, do: 'hangup' as const, by: 'caller' as const, cause: 16 },
      ],
    })),
  };
}

/** `PJSIP/1007`, call 3 → `+49301007000003`: unique per endpoint and call. */
export function callerNumber(endpoint: string, n: number): string {
  return `+4930${endpoint.replace(/\D/g, '').padStart(4, '0')}${String(n).padStart(6, '0')}`;
}

/** Which call (n) an `offered` event is, from its caller number. */
export function callNumberOf(callerid: string | undefined): number | undefined {
  const m = /^\+4930\d{4}(\d{6})$/.exec(callerid ?? '');
  return m ? Number(m[1]) : undefined;
}

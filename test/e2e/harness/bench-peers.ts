import type { CallFrame } from '../../../utils/connectors/json-protocol';
import { startDemoCrm, type CrmRequest, type DemoCrm } from '../../sim/demo-crm';
import { startSimulator, type Simulator } from '../../sim/server';

/** Epoch milliseconds with sub-millisecond resolution, one clock for the simulator hook and the CRM log. */
export const hrNow = () => performance.timeOrigin + performance.now();
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface BenchPeers {
  sim: Simulator;
  crm: DemoCrm;
  /** When the simulator wrote the `ringing` frame of the call whose caller number is `number`. */
  ringAt(number: string): number | undefined;
  /** Waits for the next CRM request of `kind` with query `param` = `value` (scans only new requests). */
  request(kind: CrmRequest['kind'], param: string, value: string, ms?: number): Promise<CrmRequest>;
  close(): Promise<void>;
}

/**
 * Simulator and demo CRM for latency measurements: the CRM stamps requests with `hrNow`, and the
 * simulator's frame hook notes when each ringing frame was written, keyed by caller number.
 */
export async function startBenchPeers(): Promise<BenchPeers> {
  const crm = await startDemoCrm({ now: hrNow });
  const sim = await startSimulator({ heartbeatMs: 15_000 });
  const numbers = new Map<string, string>();
  const rings = new Map<string, number>();
  sim.onFrame((f: CallFrame) => {
    if (f.event === 'offered' && f.variables.calleridnumber) numbers.set(f.callId, f.variables.calleridnumber);
    if (f.event === 'ringing') {
      const at = hrNow();
      const n = numbers.get(f.callId);
      if (n !== undefined && !rings.has(n)) rings.set(n, at);
    }
  });
  let seen = 0;
  return {
    sim,
    crm,
    ringAt: (n) => rings.get(n),
    async request(kind, param, value, ms = 10_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const all = crm.log().requests;
        for (let i = seen; i < all.length; i++) {
          const r = all[i];
          if (r && r.kind === kind && r.params[param] === value) {
            seen = i + 1;
            return r;
          }
        }
        if (Date.now() > deadline) throw new Error(`no ${kind} request with ${param}=${value} within ${ms} ms`);
        await sleep(3);
      }
    },
    async close() {
      await Promise.all([sim.close(), crm.close()]);
    },
  };
}

/** One inbound call from `number` that rings PJSIP/100 at once and ends after `holdMs`. */
export function ringingCall(id: string, number: string, holdMs = 600, name = 'Bench Caller') {
  return {
    name: id,
    description: 'bench',
    calls: [{
      id, from: { number, name }, to: { number: '+4930123400', name: '' }, accountcode: '',
      steps: [{ at: 0, do: 'offer' as const }, { at: 0, do: 'ring' as const, endpoints: ['PJSIP/100'] }, { at: holdMs, do: 'hangup' as const, by: 'caller' as const, cause: 16 }],
    }],
  };
}

/** Median, p95 and max of a list of numbers (any order). */
export function percentiles(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { median: at(0.5), p95: at(0.95), max: s[s.length - 1] ?? NaN, min: s[0] ?? NaN };
}

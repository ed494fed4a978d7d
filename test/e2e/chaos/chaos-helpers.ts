import type { CrmRequest, DemoCrm } from '../../sim/demo-crm';
import type { Peers } from '../harness/peers';
import { ringingCall } from '../harness/bench-peers';
import { mergeOutJson } from '../harness/out-files';

/** `CTIPOP_CHAOS=short` (what `npm test` runs): fewer repetitions, same cases. */
export const SHORT = process.env.CTIPOP_CHAOS === 'short';
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Settings for chaos runs: pops in one reused tab, a post-call record per call keyed by caller number. */
export function chaosSettings(p: Peers, overrides: { connection?: object; cti?: object; behaviour?: object; advanced?: object } = {}) {
  return {
    connection: { kind: 'json-ws', url: p.sim.wsUrl, secret: p.sim.token, endpoints: ['PJSIP/100'], ...overrides.connection },
    cti: {
      popupUrl: `${p.crm.url}/pop?n=%%calleridnumber%%`,
      postCallUrl: `${p.crm.url}/postcall?n=%%calleridnumber%%&disposition=%%disposition%%&billsec=%%billsec%%`,
      ...overrides.cti,
    },
    behaviour: { target: 'tab', reuseTab: true, ...overrides.behaviour },
    advanced: { ...overrides.advanced },
  };
}

/** One inbound call from `number` ringing PJSIP/100 at once, hung up by the caller after `holdMs`. */
export const call = (id: string, number: string, holdMs: number, name = 'Chaos Caller') => ringingCall(id, number, holdMs, name);

/** Requests of `kind` (received at or after `since`, epoch ms) per value of query parameter `param`. */
export function countBy(crm: DemoCrm, kind: CrmRequest['kind'], param = 'n', since = 0): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of crm.log().requests) {
    if (r.kind !== kind || r.at < since) continue;
    const v = r.params[param] ?? '';
    out.set(v, (out.get(v) ?? 0) + 1);
  }
  return out;
}

/** Post-call requests per Idempotency-Key, and which caller number each key carried. */
export function postcalls(crm: DemoCrm): { byKey: Record<string, number>; numberOf: Map<string, string> } {
  const numberOf = new Map<string, string>();
  for (const r of crm.log().requests) if (r.kind === 'postcall' && r.idempotencyKey) numberOf.set(r.idempotencyKey, r.params.n ?? '');
  return { byKey: crm.log().postcallCounts, numberOf };
}

export interface ChaosCounts {
  tried: number;
  lost: number;
  duplicated: number;
  [extra: string]: unknown;
}

/** Pop and post-call tallies for a set of caller numbers that should each pop / post once. */
export function tally(crm: DemoCrm, numbers: string[], kind: 'pop' | 'postcall', since = 0): ChaosCounts {
  const counts = countBy(crm, kind, 'n', since);
  return {
    tried: numbers.length,
    lost: numbers.filter((n) => !counts.get(n)).length,
    duplicated: numbers.filter((n) => (counts.get(n) ?? 0) > 1).length,
  };
}

/** Appends one case's counts to test/e2e/out/chaos.json (summarised in README's chaos section) and prints them. */
export function report(name: string, counts: Record<string, unknown>): void {
  mergeOutJson('chaos.json', { [name]: { ...counts, mode: SHORT ? 'short' : 'full', at: new Date().toISOString() } });
  console.log(`chaos ${name}: ${JSON.stringify(counts)}`);
}

/** Median/p95/max of a list of numbers. */
export function spread(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { median: Math.round(at(0.5)), p95: Math.round(at(0.95)), max: Math.round(s[s.length - 1] ?? NaN) };
}

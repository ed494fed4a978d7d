import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDemoCrm, type DemoCrm } from '../../sim/demo-crm';
import type { CallCard, ViewState } from '../../../utils/view-state';
import { launchWithExtension, waitFor, type ExtensionBrowser } from '../harness/launch';
import { startPeers, type Peers } from '../harness/peers';
import { call, chaosSettings, countBy, report, SHORT, sleep, tally } from './chaos-helpers';
import { inLane } from '../harness/lanes';

const CALLS = SHORT ? 3 : 10;
const DOWN_S = SHORT ? 4 : 20;

let serial = 0;
const numbers = (n: number) => Array.from({ length: n }, () => `+4930600${String(serial++).padStart(4, '0')}`);

/** The background's view of a call (lookups with outcome and reason, pop state), by caller number. */
/**
 * The call's card once its lookups have an outcome. The view is published on a throttle, so the
 * pop can reach the CRM while the view still shows the lookup pending.
 */
async function card(ext: ExtensionBrowser, number: string): Promise<CallCard> {
  const page = await ext.extensionPage();
  return waitFor(`the lookup outcome of ${number} in the view`, async () => {
    const view = await page.evaluate(async () => {
      type Api = { storage: { session: { get(k: string): Promise<Record<string, unknown>> } } };
      const g = globalThis as unknown as { browser?: Api; chrome: Api };
      return (await (g.browser ?? g.chrome).storage.session.get('view')).view as ViewState | undefined;
    });
    const c = view?.calls.find((x) => x.call.variables.calleridnumber === number);
    return c && c.lookups.every((l) => l.outcome !== 'pending') ? c : undefined;
  });
}

/** Stored outbox records (status, last error) whose URL carries `number`. */
async function stored(ext: ExtensionBrowser, number: string) {
  const page = await ext.extensionPage();
  const records = await page.evaluate(async () => {
    type Api = { storage: { local: { get(k: string): Promise<Record<string, unknown>> } } };
    const g = globalThis as unknown as { browser?: Api; chrome: Api };
    return ((await (g.browser ?? g.chrome).storage.local.get('outbox')).outbox ?? []) as { url: string; status: string; lastError?: string; attempts: number }[];
  });
  return records.filter((r) => new URL(r.url).searchParams.get('n') === number);
}

/**
 * The CRM misbehaves in every way the outbox and the lookup runner must survive. Post-call
 * records are counted by caller number: "lost" = never delivered, "duplicated" = delivered
 * (answered 2xx) more than once. Requests the CRM refused or never answered are attempts.
 */
describe.runIf(inLane('chromium'))('CRM faults (Chromium)', () => {
  let peers: Peers;
  let ext: ExtensionBrowser;
  let other: DemoCrm;
  const play = (list: string[], holdMs = 300) => list.forEach((n) => peers.sim.play(call(`f${n}`, n, holdMs), { speed: 1 }));
  const delivered = (list: string[], since: number) => waitFor(`${list.length} post-call records delivered`, () => list.every((n) => countBy(peers.crm, 'postcall', 'n', since).get(n)) || undefined, 120_000);

  /** Every case starts from a well-behaved CRM, whatever the previous case left behind. */
  beforeEach(() => peers.crm.setMode({ slow: 0, fail: null, hang: false, redirect: null, slowBody: 0, reply: null, paths: null, down: false }));

  beforeAll(async () => {
    peers = await startPeers();
    other = await startDemoCrm();
    ext = await launchWithExtension('chromium');
    await ext.configure(chaosSettings(peers, { advanced: { lookupTimeoutMs: 1000, postCallTimeoutMs: 1000 } }));
    await waitFor('Chromium to connect', () => peers.sim.state().ws > 0 || undefined, 30_000);
  });
  afterAll(async () => {
    await ext?.close();
    await other?.close();
    await peers?.close();
  });

  it(`CRM down for ${DOWN_S} s while calls end, then back: every record delivered once`, async () => {
    const list = numbers(CALLS);
    await peers.crm.down();
    play(list);
    await sleep(DOWN_S * 1000);
    await waitFor('the records to be queued', async () => (await Promise.all(list.map((n) => stored(ext, n)))).every((r) => r[0]?.status === 'pending') || undefined);
    const back = Date.now();
    await peers.crm.up();
    await delivered(list, back);
    await sleep(1000);
    const counts = { ...tally(peers.crm, list, 'postcall', back), deliveredAfterS: Math.round((Date.now() - back) / 100) / 10 };
    report('crm-faults/down-then-back', counts);
    expect(counts).toMatchObject({ tried: CALLS, lost: 0, duplicated: 0 });
  });

  it('CRM answering 500, then 429 with Retry-After: records retried and delivered once; Retry-After honoured', async () => {
    await peers.crm.setMode({ fail: { status: 500 }, paths: ['/postcall'] });
    const list = numbers(CALLS);
    play(list);
    // After a failure the outbox holds back the whole origin and probes it with its oldest record
    // only, one probe per backoff window: three refused probes.
    const refused = () => [...countBy(peers.crm, 'postcall').entries()].filter(([n]) => list.includes(n)).reduce((sum, [, c]) => sum + c, 0);
    await waitFor('three refused probes', () => refused() >= 3 || undefined, 60_000);
    await peers.crm.setMode({ fail: { status: 429, retryAfter: '2' } });
    const t429 = Date.now();
    await waitFor('a 429 answer', () => peers.crm.log().requests.some((r) => r.kind === 'postcall' && r.at >= t429) || undefined, 60_000);
    const first429 = peers.crm.log().requests.find((r) => r.kind === 'postcall' && r.at >= t429)!;
    await sleep(300);
    const back = Date.now();
    await peers.crm.setMode({ fail: null, paths: null });
    await delivered(list, back);
    const retry = peers.crm.log().requests.find((r) => r.kind === 'postcall' && r.at > first429.at)!;
    await sleep(1000);
    const counts = { ...tally(peers.crm, list, 'postcall', back), attemptsRefused: peers.crm.log().requests.filter((r) => r.kind === 'postcall' && r.at < back).length, retryAfter429Ms: retry.at - first429.at };
    report('crm-faults/500-and-429', counts);
    expect(counts).toMatchObject({ tried: CALLS, lost: 0, duplicated: 0 });
    expect(counts.retryAfter429Ms).toBeGreaterThanOrEqual(1900);
  });

  it('slow bodies and hanging connections: lookups time out and the call still pops; post-call records delivered once', async () => {
    await ext.configure(chaosSettings(peers, { cti: { inboundUrl: `${peers.crm.url}/cti/lookup?calleridnumber=%%calleridnumber%%` }, advanced: { lookupTimeoutMs: 1000, postCallTimeoutMs: 1000 } }));
    await sleep(500);
    // Slow body: headers at once, the body over 3 s. The lookup deadline covers the body; the outbox ignores the body.
    await peers.crm.setMode({ slowBody: 3000, paths: ['/cti/lookup', '/postcall'] });
    const [slow] = numbers(1) as [string];
    const rang = Date.now();
    play([slow], 2500);
    await waitFor('the pop despite the slow lookup body', () => countBy(peers.crm, 'pop').get(slow) || undefined, 10_000);
    const popAfterMs = Date.now() - rang;
    const slowCard = await card(ext, slow);
    await delivered([slow], 0);
    // Hanging: nothing is ever answered; each post-call attempt times out after 1 s and is retried.
    await peers.crm.setMode({ slowBody: 0, hang: true });
    const [hung] = numbers(1) as [string];
    play([hung], 2500);
    await waitFor('the pop despite the hanging lookup', () => countBy(peers.crm, 'pop').get(hung) || undefined, 10_000);
    const hungCard = await card(ext, hung);
    await waitFor('two hanging post-call attempts', () => (countBy(peers.crm, 'postcall').get(hung) ?? 0) >= 2 || undefined, 60_000);
    const back = Date.now();
    await peers.crm.setMode({ hang: false, paths: null });
    await delivered([hung], back);
    await sleep(1000);
    const counts = {
      slowBody: { lookup: slowCard?.lookups[0]?.outcome, detail: slowCard?.lookups[0]?.detail, popAfterMs, postcallSends: countBy(peers.crm, 'postcall').get(slow) },
      hanging: { lookup: hungCard?.lookups[0]?.outcome, detail: hungCard?.lookups[0]?.detail, ...tally(peers.crm, [hung], 'postcall', back), attemptsBefore: countBy(peers.crm, 'postcall').get(hung)! - 1 },
    };
    report('crm-faults/slow-and-hanging', counts);
    expect(counts.slowBody.lookup).toBe('timeout');
    expect(counts.slowBody.postcallSends).toBe(1);
    expect(counts.hanging.lookup).toBe('timeout');
    expect(counts.hanging).toMatchObject({ tried: 1, lost: 0, duplicated: 0 });
  });

  it('redirects to another origin: lookup refused, post-call record a dead letter, nothing reaches the other origin', async () => {
    await peers.crm.setMode({ redirect: other.url, paths: ['/cti/lookup', '/postcall'] });
    const [n] = numbers(1) as [string];
    play([n]);
    await waitFor('the pop', () => countBy(peers.crm, 'pop').get(n) || undefined, 10_000);
    const c = await waitFor('the lookup to be recorded', async () => (await card(ext, n))?.lookups[0]);
    const record = await waitFor('the post-call record to become a dead letter', async () => (await stored(ext, n)).find((r) => r.status === 'dead'), 30_000);
    await peers.crm.setMode({ redirect: null, paths: null });
    const counts = { lookup: c.outcome, lookupDetail: c.detail, postcall: record.status, postcallError: record.lastError, otherOriginRequests: other.log().requests.length };
    report('crm-faults/redirect-other-origin', counts);
    expect(counts.lookup).toBe('refused');
    expect(counts.postcall).toBe('dead');
    expect(counts.otherOriginRequests).toBe(0);
  });
});

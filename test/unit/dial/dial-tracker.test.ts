import { describe, expect, it } from 'vitest';
import { createDialTracker, DOUBLE_CLICK_MS } from '@/utils/dial/dial-tracker';
import { originateRefusal } from '@/utils/dial/originate-refusal';

const plan = (dial: string, endpoint = 'PJSIP/100') => ({ number: { dial, display: dial, kind: 'outside' as const, e164: '' }, endpoint });

describe('dial tracker', () => {
  it('places one call for a double click, shows Calling until the PBX reports the call', () => {
    let t = 1000;
    const tracker = createDialTracker({ now: () => t, ringTimeoutS: () => 30 });
    const card = tracker.begin(plan('0301234567'));
    expect(card).toBeDefined();
    expect(tracker.begin(plan('0301234567'))).toBeUndefined();
    expect(tracker.begin(plan('0301234567', 'PJSIP/101'))).toBeDefined();
    tracker.placed(card!.id, 'call-1');
    t += 100;
    expect(tracker.begin(plan('0301234567'))).toBeUndefined();
    expect(tracker.current(new Set()).map((c) => c.state)).toEqual(['calling', 'calling']);
    expect(tracker.current(new Set(['call-1']))).toHaveLength(1);
    t += DOUBLE_CLICK_MS;
    expect(tracker.begin(plan('0301234567'))).toBeDefined();
  });

  it('a refusal shows with its reason; the double click after a quick refusal places nothing, a later retry does', () => {
    let t = 0;
    const tracker = createDialTracker({ now: () => t, ringTimeoutS: () => 30 });
    const card = tracker.begin(plan('100'))!;
    tracker.failed(card.id, 'your phone PJSIP/100 is offline');
    expect(tracker.current(new Set())).toMatchObject([{ state: 'failed', reason: 'your phone PJSIP/100 is offline' }]);
    expect(tracker.begin(plan('100'))).toBeUndefined();
    t += DOUBLE_CLICK_MS;
    expect(tracker.begin(plan('100'))).toBeDefined();
  });
});

describe('originateRefusal', () => {
  it('names read-only users, unknown endpoints and offline phones', () => {
    expect(originateRefusal(403, 'Write access denied', 'PJSIP/100')).toMatch(/read_only/);
    expect(originateRefusal(500, 'Allocation failed', 'PJSIP/9', { status: 404 })).toMatch(/does not know the endpoint PJSIP\/9/);
    expect(originateRefusal(500, 'Allocation failed', 'PJSIP/100', { status: 200, state: 'offline' })).toMatch(/offline/);
    expect(originateRefusal(500, 'Allocation failed', 'PJSIP/100', { status: 200, state: 'online' })).toMatch(/could not ring PJSIP\/100: Allocation failed/);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { browser } from 'wxt/browser';
import { createViewPublisher, type ViewSources } from '@/entrypoints/background/view';
import type { Call } from '@/utils/calls/call';
import { DEFAULT_SETTINGS } from '@/utils/settings/schema';
import { VIEW_KEY, type ViewState } from '@/utils/view-state';

const ringing: Call = { id: 'c1', direction: 'inbound', state: 'ringing', applications: [], offeredAt: 1, variables: { calleridnumber: '+4930123456' } };

function setup() {
  const calls: Call[] = [];
  const sources: ViewSources = {
    calls: () => calls,
    activity: () => undefined,
    outbox: { view: () => ({ pending: 0, dead: [] }), isPending: () => false },
    settings: () => DEFAULT_SETTINGS,
    dials: () => [],
  };
  const writes: ViewState[] = [];
  const set = browser.storage.session.set.bind(browser.storage.session);
  vi.spyOn(browser.storage.session, 'set').mockImplementation(async (items) => {
    writes.push((items as Record<string, ViewState>)[VIEW_KEY]!);
    await set(items);
  });
  return { calls, writes, view: createViewPublisher(sources) };
}

describe('view publisher', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('coalesces a burst of changes into one storage.session write, 100 ms later, off the pop path', async () => {
    const { calls, writes, view } = setup();
    calls.push(ringing);
    for (let i = 0; i < 50; i++) view.changed();
    await vi.advanceTimersByTimeAsync(99);
    expect(writes).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.calls.map((c) => c.call.id)).toEqual(['c1']);
    view.changed();
    await vi.advanceTimersByTimeAsync(100);
    expect(writes).toHaveLength(2);
  });

  it('publishes a side-panel pop in the next task, taking the pending write with it', async () => {
    const { writes, view } = setup();
    view.changed();
    await vi.advanceTimersByTimeAsync(10);
    view.changed(true);
    view.changed(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(writes).toHaveLength(1);
  });

  it('keeps the last three ended calls on screen and reports them, so their activity is kept', async () => {
    const { view } = setup();
    let shown = new Set<string>();
    for (const id of ['a', 'b', 'c', 'd']) shown = view.recordHistory({ ...ringing, id, state: 'ended', endedAt: 5 }, undefined);
    expect([...shown]).toEqual(['d', 'c', 'b']);
    await vi.advanceTimersByTimeAsync(100);
    expect(view.current().history.map((h) => h.id)).toEqual(['d', 'c', 'b', 'a']);
  });
});

import { describe, expect, it } from 'vitest';
import { resumeSaver } from '@/utils/connectors/resume-saver';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('resumeSaver', () => {
  it('moves the resume point only after the engine stored the events, and in frame order', async () => {
    const saved: unknown[] = [];
    const save = resumeSaver((s) => saved.push(s));
    let storeFirst!: () => void;
    save(new Promise<void>((r) => (storeFirst = r)), { lastEventId: '1' });
    save(Promise.resolve(), { lastEventId: '2' });
    await tick();
    // The worker could be stopped now: event 1 is not stored yet, so the resume point must not pass it.
    expect(saved).toEqual([]);
    storeFirst();
    await tick();
    expect(saved).toEqual([{ lastEventId: '1' }, { lastEventId: '2' }]);
  });

  it('does not save the resume point of events the engine failed to store, and goes on with the next ones', async () => {
    const saved: unknown[] = [];
    const save = resumeSaver((s) => saved.push(s));
    save(Promise.reject(new Error('storage full')), { lastEventId: '1' });
    save(undefined, { lastEventId: '2' });
    await tick();
    expect(saved).toEqual([{ lastEventId: '2' }]);
  });
});

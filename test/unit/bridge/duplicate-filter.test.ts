import { describe, expect, it } from 'vitest';
import { createDuplicateFilter } from '@/bridge/duplicate-filter';

describe('createDuplicateFilter', () => {
  it('passes the first message under an id and drops later ones within the window', () => {
    const f = createDuplicateFilter(120_000);
    expect(f.first('a', 1000)).toBe(true);
    expect(f.first('b', 1001)).toBe(true);
    expect(f.first('a', 5000)).toBe(false);
    expect(f.first('a', 121_000)).toBe(false); // 120 s after the first copy: still inside
  });

  it('forgets ids older than the window, by the stream time of the messages', () => {
    const f = createDuplicateFilter(120_000);
    f.first('a', 1000);
    f.first('b', 60_000);
    expect(f.first('c', 121_001)).toBe(true);
    expect(f.size()).toBe(2); // 'a' is gone, 'b' and 'c' are kept
    expect(f.first('a', 121_002)).toBe(true); // JetStream itself would store it again by now
    expect(f.first('b', 121_003)).toBe(false);
  });

  it('always passes a message without an id', () => {
    const f = createDuplicateFilter(1000);
    expect(f.first(undefined, 1)).toBe(true);
    expect(f.first(undefined, 2)).toBe(true);
    expect(f.first('', 3)).toBe(true);
    expect(f.size()).toBe(0);
  });
});

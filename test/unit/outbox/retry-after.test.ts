import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../../utils/outbox/retry-after';

const NOW = Date.parse('2026-11-04T10:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
  });

  it('reads an HTTP date as the time left until it', () => {
    expect(parseRetryAfter('Wed, 04 Nov 2026 10:01:30 GMT', NOW)).toBe(90_000);
  });

  it('treats a date in the past as no wait', () => {
    expect(parseRetryAfter('Wed, 04 Nov 2026 09:00:00 GMT', NOW)).toBe(0);
  });

  it('ignores absent and unreadable values', () => {
    for (const value of [null, '', 'soon', '-5', '1.5', '12abc']) expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});

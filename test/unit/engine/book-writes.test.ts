import { describe, expect, it } from 'vitest';
import { bookWrites } from '@/utils/engine/book-writes';

/** A store whose writes complete only when the test says, recording what each one carried. */
function slowStore() {
  let value = 0;
  const writes: { carried: number; finish: () => void }[] = [];
  const written = bookWrites(() => new Promise<void>((finish) => writes.push({ carried: value, finish })));
  return { set: (v: number) => (value = v), written, writes };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('book writes', () => {
  it('starts a second write while the first is under way, and each request waits for a write that carries it', async () => {
    const s = slowStore();
    s.set(1);
    let first = false;
    void s.written().then(() => (first = true));
    await tick();
    s.set(2);
    let second = false;
    void s.written().then(() => (second = true));
    await tick();
    expect(s.writes.map((w) => w.carried)).toEqual([1, 2]);
    s.writes[1]!.finish();
    await tick();
    expect([first, second]).toEqual([false, true]);
    s.writes[0]!.finish();
    await tick();
    expect(first).toBe(true);
  });

  it('gives requests of one task one write, and a burst beyond two writes under way one more', async () => {
    const s = slowStore();
    s.set(1);
    void s.written();
    void s.written();
    await tick();
    s.set(2);
    void s.written();
    await tick();
    expect(s.writes.map((w) => w.carried)).toEqual([1, 2]);
    const burst: Promise<void>[] = [];
    for (let v = 3; v <= 50; v++) {
      s.set(v);
      burst.push(s.written());
      await tick();
    }
    expect(s.writes).toHaveLength(2);
    s.writes[0]!.finish();
    await tick();
    expect(s.writes.map((w) => w.carried)).toEqual([1, 2, 50]);
    s.writes[1]!.finish();
    s.writes[2]!.finish();
    await Promise.all(burst);
  });

  it('passes a failed write on to its requests and goes on with the next', async () => {
    let fail = true;
    const written = bookWrites(() => (fail ? Promise.reject(new Error('QUOTA_BYTES quota exceeded')) : Promise.resolve()));
    await expect(written()).rejects.toThrow('QUOTA_BYTES');
    fail = false;
    await expect(written()).resolves.toBeUndefined();
  });
});

/**
 * Writes of the call book, pipelined and bounded. Each `written()` resolves once a write that
 * started after the call has completed, so it carries everything applied before it. A write
 * starts at once while fewer than `maxInFlight` are under way (storage keeps the order of writes,
 * so an offered and a ringing frame pay for one write's wait, not two). Beyond that, requests
 * join one pending write that starts when a slot frees: a burst of frames (a PBX resync, a flood)
 * costs a few writes of the whole book, not one per frame.
 *
 * @example const written = bookWrites(() => storage.set({ book })); await written();
 */
export function bookWrites(write: () => Promise<void>, maxInFlight = 2): () => Promise<void> {
  let inFlight = 0;
  let pending: { done: Promise<void>; settle: (p: Promise<void>) => void } | undefined;

  const start = () => {
    const next = pending!;
    pending = undefined;
    inFlight += 1;
    const done = write();
    next.settle(done);
    void done.catch(() => undefined).finally(() => {
      inFlight -= 1;
      if (pending) start();
    });
  };

  return () => {
    if (!pending) {
      let settle!: (p: Promise<void>) => void;
      pending = { done: new Promise<void>((resolve) => (settle = resolve)), settle };
      // Events applied in the same task (one frame's events) share this write.
      queueMicrotask(() => {
        if (pending && inFlight < maxInFlight) start();
      });
    }
    return pending.done;
  };
}

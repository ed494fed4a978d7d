/**
 * Saves resume points in order, each only after the engine stored the events before it: a worker
 * stopped in between gets those events again on resume (harmless, events are idempotent) instead
 * of skipping them, which would leave a call open forever and without its post-call record.
 */
export function resumeSaver(save: (state: unknown) => void) {
  let last: Promise<unknown> = Promise.resolve();
  return (stored: void | Promise<unknown>, state: unknown) => {
    // A failed store skips its own resume point only: the engine stores the whole book each time,
    // so the next stored event carries this one's effect too.
    last = Promise.allSettled([last, stored]).then(([, own]) => {
      if (own.status === 'fulfilled') save(state);
    });
  };
}

import type { CallFrame } from '../../utils/connectors/json-protocol';
import type { PendingFrame } from './json-stream';

export interface EventHub {
  /** Stamps id and time, keeps the frame for resuming clients and hands it to every listener. */
  publish(frame: PendingFrame): CallFrame;
  /** Stamps a frame that is sent to one client only (current state after a snapshot); not kept. */
  stamp(frame: PendingFrame): CallFrame;
  /**
   * The kept frames after `lastEventId` that `wants` accepts, or undefined when resuming from
   * there is impossible (unknown id, or the ring buffer no longer reaches back that far).
   */
  replay(lastEventId: string, wants: (frame: CallFrame) => boolean): CallFrame[] | undefined;
  lastEventId(): string;
  onPublish(listener: (frame: CallFrame) => void): void;
}

/** Ids are decimal counters, monotonic per simulator; the buffer keeps the last `size` frames. */
export function createEventHub(opts: { size: number; now: () => number }): EventHub {
  const buffer: { n: number; frame: CallFrame }[] = [];
  const listeners: ((frame: CallFrame) => void)[] = [];
  let counter = 0;

  const stamp = (frame: PendingFrame): CallFrame => ({ ...frame, id: String(++counter), at: opts.now() }) as CallFrame;
  return {
    publish(pending) {
      const frame = stamp(pending);
      buffer.push({ n: counter, frame });
      if (buffer.length > opts.size) buffer.shift();
      for (const l of listeners) l(frame);
      return frame;
    },
    stamp,
    replay(lastEventId, wants) {
      if (!/^\d{1,15}$/.test(lastEventId)) return undefined;
      const last = Number(lastEventId);
      const oldest = buffer[0]?.n ?? counter + 1;
      if (last > counter || last < oldest - 1) return undefined;
      return buffer.filter((b) => b.n > last && wants(b.frame)).map((b) => b.frame);
    },
    lastEventId: () => String(counter),
    onPublish: (l) => void listeners.push(l),
  };
}

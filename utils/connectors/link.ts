/** What a transport reports to the connection that owns it. */
export interface LinkSink {
  opened(): void;
  /** One text frame; `id` is the SSE event id when the transport has one. */
  frame(raw: string, id?: string): void;
  /** The link is gone for good; `reason` is words a person can act on. */
  closed(reason: string): void;
}

/** One live transport connection (WebSocket, SSE over fetch). */
export interface Link {
  /** False when the transport is one-way or not open. */
  send(text: string): boolean;
  close(): void;
}

export type OpenLink = (sink: LinkSink) => Link;

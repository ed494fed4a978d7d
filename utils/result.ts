/** What a fallible step returns (STYLE.md §10): a value, or a message a person can act on. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * An error as one line of text. Node's and browsers' fetch say "fetch failed" / "NetworkError"
 * and hide the useful part (ECONNREFUSED …) in `cause`, so the cause is appended.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

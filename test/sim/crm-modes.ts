import { z } from 'zod';
import type { Result } from './scenario-files';

/** How the demo CRM misbehaves; all off by default. */
export interface CrmModes {
  /** Wait this many ms before answering. */
  slow: number;
  /** Answer with this status (e.g. 500, or 429 with Retry-After) instead of the real reply. */
  fail: { status: number; retryAfter?: string } | null;
  /** Never answer. */
  hang: boolean;
  /** When false, /pop sends X-Frame-Options DENY and CSP frame-ancestors 'none'. */
  frameable: boolean;
  /** Redirect (302) every request to the same path on this origin. */
  redirect: string | null;
  /** Send headers at once, then trickle the body over this many ms. */
  slowBody: number;
  /** Answer lookups with these bytes (base64) instead of the contact's reply: hostile-reply tests. */
  reply: { contentType: string; base64: string } | null;
  /** Paths the modes apply to (e.g. ["/cti/lookup"]); null = every CRM path. */
  paths: string[] | null;
}

const change = z.strictObject({
  slow: z.number().int().min(0).max(600_000).optional(),
  fail: z.union([z.null(), z.number().int().min(100).max(599).transform((status) => ({ status })), z.object({ status: z.number().int().min(100).max(599), retryAfter: z.union([z.string(), z.number()]).transform(String).optional() })]).optional(),
  hang: z.boolean().optional(),
  frameable: z.boolean().optional(),
  redirect: z.union([z.null(), z.url({ protocol: /^https?$/ })]).optional(),
  slowBody: z.number().int().min(0).max(600_000).optional(),
  paths: z.union([z.null(), z.array(z.string().startsWith('/'))]).optional(),
  reply: z.union([z.null(), z.object({ contentType: z.string().max(200), base64: z.base64() })]).optional(),
  down: z.boolean().optional(),
  /** `{ "up": true }` is the same as `{ "down": false }`. */
  up: z.boolean().optional(),
});

export type CrmModeChange = Partial<CrmModes> & { down?: boolean };

/** Parses a POST /control/mode body, e.g. `{"fail":{"status":429,"retryAfter":2}}` or `{"down":true}`. */
export function parseCrmMode(text: string): Result<CrmModeChange> {
  let json: unknown;
  try {
    json = text.trim() === '' ? {} : JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `body is not JSON: ${(e as Error).message}` };
  }
  const r = change.safeParse(json);
  if (!r.success) return { ok: false, error: r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') };
  const { up, down, ...modes } = r.data;
  const wantDown = down ?? (up === undefined ? undefined : !up);
  return { ok: true, value: { ...modes, ...(wantDown === undefined ? {} : { down: wantDown }) } };
}

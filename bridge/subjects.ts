/**
 * NATS subjects. Events: `ctipop.ev.<pbx>.<endpoint>`, one subject per PBX and endpoint, so a
 * consumer can filter one PBX or one phone. Control requests: `ctipop.ctl.<pbx>`, and click-to-dial
 * requests: `ctipop.dial.<pbx>`, answered by the ingest that holds the PBX's lease.
 */
export const EVENT_SUBJECTS = 'ctipop.ev.>';

/**
 * A subject token for any id: `.`, `*`, `>` and spaces are not allowed in one, so everything but
 * letters, digits, `-` and `_` becomes `_XX` (hex) — `PJSIP/100` → `PJSIP_2F100`. Reversible and
 * collision-free because `_` itself is escaped too.
 */
export function subjectToken(id: string): string {
  return id.replace(/[^A-Za-z0-9-]/g, (c) => [...Buffer.from(c, 'utf8')].map((b) => `_${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}

export const eventSubject = (pbx: string, endpoint: string) => `ctipop.ev.${subjectToken(pbx)}.${subjectToken(endpoint)}`;
export const controlSubject = (pbx: string) => `ctipop.ctl.${subjectToken(pbx)}`;
export const dialSubject = (pbx: string) => `ctipop.dial.${subjectToken(pbx)}`;

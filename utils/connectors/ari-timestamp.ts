const ARI_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?([+-])(\d{2}):?(\d{2})$/;

/**
 * Epoch ms of an Asterisk timestamp such as `2026-11-28T00:21:07.123+0000`. Asterisk writes the
 * offset without a colon, which ISO 8601 parsers are not obliged to accept; undefined when invalid.
 */
export function parseAriTimestamp(text: string | undefined): number | undefined {
  const m = text === undefined ? null : ARI_TIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '0', sign, oh, om] = m;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Math.floor(Number(`0.${frac}`) * 1000));
  const offset = (Number(oh) * 60 + Number(om)) * 60_000;
  const ms = sign === '+' ? utc - offset : utc + offset;
  return Number.isFinite(ms) ? ms : undefined;
}

import { expandTemplate } from '../templates/expand-template';
import { createLookupRunner } from '../lookup/lookup-runner';
import { parseReply } from '../reply/parse-reply';
import { withNumberFormats } from '../templates/phone-formats';
import { redactUrl } from '../templates/redact-url';
import { CALL_VARIABLES } from '../templates/variables';

/** `ctipop lookup`: one real CTI request under the engine's rules, reported as one JSON object. */
export async function lookupCommand(template: string, vars: Record<string, string>, opts: { timeoutMs: number; country: string }): Promise<{ output: string; exitCode: 0 | 1 }> {
  const expanded = expandTemplate(template, withNumberFormats(vars, opts.country), { known: CALL_VARIABLES });
  if (!expanded.ok) return { output: `${JSON.stringify({ ok: false, refused: expanded.reason, warnings: expanded.warnings })}\n`, exitCode: 1 };
  const runner = createLookupRunner({ fetch, now: () => performance.now(), maxInFlight: 1, maxBytes: 65_536, timeoutMs: opts.timeoutMs });
  const result = await runner.lookup(expanded.url);
  const reply = result.outcome === 'ok' ? parseReply(result.bytes ?? result.body ?? '') : undefined;
  const report = {
    ok: result.outcome === 'ok' && reply?.ok === true,
    url: redactUrl(expanded.url),
    outcome: result.outcome,
    status: result.status ?? null,
    ms: Math.round(result.ms * 10) / 10,
    ...(result.error && { error: result.error }),
    ...(reply && { reply }),
    warnings: expanded.warnings,
  };
  return { output: `${JSON.stringify(report)}\n`, exitCode: report.ok ? 0 : 1 };
}

import type { Call } from '../calls/call';
import { buildCdr } from '../cdr/build-cdr';
import { applyReply } from '../reply/apply-reply';
import { expandTemplate } from '../templates/expand-template';
import type { LookupResult } from '../lookup/lookup-runner';
import { parseReply } from '../reply/parse-reply';
import { redactUrl } from '../templates/redact-url';
import { CALL_VARIABLES, CDR_VARIABLES } from '../templates/variables';
import type { TestBenchCall, TestBenchResult, TestBenchStep } from '../messages';
import type { Settings } from '../settings/schema';
import { callVariables, cdrVariables, prepareNumbers } from './call-variables';
import { applicationRequests, preCallRequests } from './control-points';

/**
 * The options page's test bench: runs a simulated call through the same control points, real
 * requests and reply handling as a live call, and reports each step. Nothing is popped and no
 * post-call record is sent: those steps only show their URL.
 */
export async function runTestBench(input: TestBenchCall, settings: Settings, lookup: (url: string, timeoutMs: number) => Promise<LookupResult>, now: number): Promise<TestBenchResult> {
  let call: Call = {
    id: `test-${now}`,
    direction: input.direction,
    state: 'ringing',
    applications: input.application ? [{ ...input.application, at: now }] : [],
    offeredAt: now,
    ringingAt: now,
    variables: {
      calleridnumber: input.number,
      calleridname: input.name,
      did: input.did ?? '',
      uniqueid: `test-${now}`,
      ...(input.application ? { application: input.application.name, application_type: input.application.type } : {}),
    },
  };
  const steps: TestBenchStep[] = [];
  const country = settings.numbers.homeCountry;
  await prepareNumbers(call, country);
  const planned = [...preCallRequests(settings, call), ...(input.application ? applicationRequests(settings, call, input.application) : [])];
  for (const request of planned) {
    const step: TestBenchStep = { point: request.point, template: request.template, warnings: [], timeoutMs: settings.advanced.lookupTimeoutMs };
    steps.push(step);
    const expanded = expandTemplate(request.template, callVariables(call, country), { known: CALL_VARIABLES });
    step.warnings = expanded.warnings;
    if (!expanded.ok) {
      step.refused = expanded.reason;
      continue;
    }
    step.url = redactUrl(expanded.url);
    const result = await lookup(expanded.url, settings.advanced.lookupTimeoutMs);
    Object.assign(step, { outcome: result.error ? `${result.outcome}: ${result.error}` : result.outcome, status: result.status, ms: result.ms });
    if (result.outcome !== 'ok') continue;
    const parsed = parseReply(result.bytes ?? result.body ?? '', { maxBytes: settings.advanced.maxReplyBytes });
    step.reply = parsed;
    if (!parsed.ok) continue;
    const applied = applyReply(call.variables, parsed.value);
    step.changes = applied.changes;
    call = { ...call, variables: applied.variables };
    if (parsed.value.break) break;
  }
  // A reply may have set another caller number.
  await prepareNumbers(call, country);
  const pop: TestBenchResult['pop'] = { target: settings.behaviour.target };
  if (settings.cti.popupUrl) {
    const expanded = expandTemplate(settings.cti.popupUrl, callVariables(call, country), { known: CALL_VARIABLES });
    steps.push({ point: 'popup', template: settings.cti.popupUrl, warnings: expanded.warnings, ...(expanded.ok ? { url: redactUrl(expanded.url) } : { refused: expanded.reason }) });
    if (expanded.ok) pop.url = redactUrl(expanded.url);
    else pop.refused = expanded.reason;
  }
  if (settings.cti.postCallUrl) {
    const ended: Call = { ...call, state: 'ended', answeredAt: now, endedAt: now + 42_000, cause: 16 };
    const expanded = expandTemplate(settings.cti.postCallUrl, cdrVariables(ended, buildCdr(ended), country), { known: [...CALL_VARIABLES, ...CDR_VARIABLES] });
    steps.push({ point: 'postcall', template: settings.cti.postCallUrl, warnings: expanded.warnings, ...(expanded.ok ? { url: redactUrl(expanded.url) } : { refused: expanded.reason }) });
  }
  return { steps, variables: callVariables(call, country), pop };
}

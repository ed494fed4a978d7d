import type { Call } from '../calls/call';
import type { Cdr } from '../cdr/build-cdr';
import { withNumberFormats } from '../templates/phone-formats';
import { preparePhoneMetadata } from '../templates/phone-metadata';

/** The variables a template sees for a call: the call's own, what the engine knows, number formats. */
export function callVariables(call: Call, homeCountry: string): Record<string, string> {
  const base: Record<string, string> = {
    direction: call.direction,
    timestamp: String(Math.floor(call.offeredAt / 1000)),
    linkedid: call.id,
  };
  for (const [k, v] of Object.entries(call.variables)) if (v !== undefined) base[k] = v;
  return withNumberFormats(base, homeCountry) as Record<string, string>;
}

/** Post-call templates see the call's variables with the CDR's fields on top. */
export function cdrVariables(call: Call, cdr: Cdr, homeCountry: string): Record<string, string> {
  return { ...callVariables(call, homeCountry), ...cdr };
}

const NUMBER_FORMATS = /%%calleridnumber_(?:e164|national|international|digits)%%/;

/**
 * Loads the number plans `callVariables` needs for this call's number, unless already there or
 * `template` uses no number format (then nothing waits for a plan to load: a pop of a foreign
 * caller would otherwise wait for a fetch).
 */
export function prepareNumbers(call: Call, homeCountry: string, template?: string): Promise<void> {
  if (template !== undefined && !NUMBER_FORMATS.test(template)) return Promise.resolve();
  return preparePhoneMetadata(call.variables.calleridnumber ?? '', homeCountry);
}

import { DEFAULT_SETTINGS } from '../settings/schema';
import { ariOriginateRequest, planDial } from '../dial/plan-dial';

export interface DialCommandOptions {
  country: string;
  outsidePrefix?: string;
  intlPrefix?: string;
  internalDigits?: number;
  e164?: boolean;
  /** With `ari`: print the originate request instead of the dial string. */
  connector?: 'ari';
  me?: string;
  context?: string;
}

/**
 * `ctipop dial NUMBER`: what the extension would dial, by the same code. Prints the dial string,
 * or with `--connector ari` the ARI request (method, path, query as JSON), or `refused: <reason>`
 * and exit code 1. The ARI `channelId` is a fixed placeholder here (the extension picks a fresh one).
 *
 * @example dialCommand('030 1234567', { country: 'DE', outsidePrefix: '0' }) // → { output: '00301234567\n', exitCode: 0 }
 */
export function dialCommand(input: string, o: DialCommandOptions): { output: string; exitCode: 0 | 1 } {
  const d = DEFAULT_SETTINGS.dialling;
  const settings = {
    numbers: { homeCountry: o.country },
    dialling: {
      ...d,
      outsidePrefix: o.outsidePrefix ?? d.outsidePrefix,
      intlPrefix: o.intlPrefix ?? d.intlPrefix,
      internalDigits: o.internalDigits ?? d.internalDigits,
      sendAs: o.e164 ? ('e164' as const) : d.sendAs,
      context: o.context ?? d.context,
    },
    connection: { ...DEFAULT_SETTINGS.connection, endpoints: o.me ? [o.me] : ['PJSIP/me'] },
  };
  const refused = (reason: string) => ({ output: `refused: ${reason}\n`, exitCode: 1 as const });
  const plan = planDial(input, settings);
  if (!plan.ok) return refused(plan.error);
  if (o.connector !== 'ari') return { output: `${plan.value.number.dial}\n`, exitCode: 0 };
  if (!o.me) return refused('--connector ari needs --me ENDPOINT (e.g. PJSIP/100)');
  const request = ariOriginateRequest(plan.value, { context: settings.dialling.context, callerId: d.callerId, ringTimeoutS: d.ringTimeoutS }, 'ctipop-CHANNEL-ID');
  if (!request.ok) return refused(request.error);
  return { output: `${JSON.stringify(request.value)}\n`, exitCode: 0 };
}

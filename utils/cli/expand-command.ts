import { expandTemplate } from '../templates/expand-template';
import { withNumberFormats } from '../templates/phone-formats';
import { redactUrl } from '../templates/redact-url';
import { CALL_VARIABLES, CDR_VARIABLES } from '../templates/variables';

/** Both catalogues: on the command line we cannot tell a pop-up template from a post-call one. */
const KNOWN = [...new Set([...CALL_VARIABLES, ...CDR_VARIABLES])];

/**
 * `ctipop expand`: fills a template as the extension would and prints the result.
 * Output, one item per line: first the URL (redacted, as every shown URL is) or
 * `refused: <reason>`, then one `warning: <text>` line per warning. Exit code 1 when refused.
 * With `country` (ISO alpha-2) the calleridnumber_* format variants are derived first.
 *
 * @example expandCommand('https://crm.example/?q=%%calleridnumber%%', { calleridnumber: '030 1234' }, 'DE')
 *   // → { output: 'https://crm.example/?q=030%201234\n', exitCode: 0 }
 */
export function expandCommand(
  template: string,
  vars: Record<string, string>,
  country?: string,
): { output: string; exitCode: 0 | 1 } {
  const variables = country ? withNumberFormats(vars, country) : vars;
  const result = expandTemplate(template, variables, { known: KNOWN });
  const lines = [
    result.ok ? redactUrl(result.url) : `refused: ${result.reason}`,
    ...result.warnings.map((warning) => `warning: ${warning}`),
  ];
  return { output: `${lines.join('\n')}\n`, exitCode: result.ok ? 0 : 1 };
}

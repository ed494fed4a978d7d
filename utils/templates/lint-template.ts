import { checkTemplateShape, misplacedMessage, scanTemplate, type TemplateToken } from './expand-template';
import { CALL_VARIABLES, CDR_VARIABLES } from './variables';

export interface LintIssue {
  severity: 'error' | 'warning';
  message: string;
  /** Character offsets into the template, for inline display. */
  start: number;
  end: number;
}

export type TemplateKind = 'call' | 'cdr';

const KNOWN: Record<TemplateKind, readonly string[]> = { call: CALL_VARIABLES, cdr: CDR_VARIABLES };
const PLACES_ALLOWED = new Set(['path', 'query-value', 'fragment']);

/**
 * Problems in a URL template, for the options page. Errors are what `expandTemplate` refuses;
 * warnings work but probably not as meant. An empty template (feature off) has no issues.
 *
 * @example lintTemplate('https://crm.example/?q=%%callerid%%', 'call')[0]?.message
 *   // → 'Unknown variable %%callerid%%: it is sent as written. Did you mean %%calleridname%%?'
 */
export function lintTemplate(template: string, kind: TemplateKind): LintIssue[] {
  if (template.trim() === '') return [];
  const known = new Set(KNOWN[kind]);
  const scan = scanTemplate(template);
  const issues: LintIssue[] = [];
  const add = (severity: LintIssue['severity'], message: string, start = 0, end = template.length) =>
    issues.push({ severity, message, start, end });

  for (const token of scan.tokens) {
    if (!known.has(token.name)) add('warning', unknownMessage(token.name, kind), token.start, token.end);
    else if (!PLACES_ALLOWED.has(token.place)) add('error', misplacedMessage(token), token.start, token.end);
    else if (token.place === 'fragment' && kind === 'cdr') {
      add('warning', `%%${token.name}%% is in the fragment (after #), which is never sent to the server.`, token.start, token.end);
    }
  }
  for (const { start, end } of scan.lookalikes) {
    const text = template.slice(start, end);
    const lower = text.toLowerCase().slice(2, -2);
    const hint = known.has(lower) ? ` Did you mean %%${lower}%%?` : '';
    add('warning', `${text} is not a variable (names are lower case) and is sent as written.${hint}`, start, end);
  }
  for (const tokens of wholeSegmentTokens(template, scan.tokens, known)) {
    const names = tokens.map((t) => `%%${t.name}%%`).join('');
    const first = tokens[0]!;
    const last = tokens[tokens.length - 1]!;
    add('warning', `${names} fills a whole path segment: when it is empty the request is refused. A query value is safer.`, first.start, last.end);
  }

  const shape = checkTemplateShape(template, scan, known);
  if (!shape.ok) {
    const { span } = shape;
    const reported = span && issues.some((i) => i.start === span.start && i.end === span.end && i.severity === 'error');
    if (!reported) add('error', shape.error, span?.start, span?.end);
  } else {
    const { url } = shape.value;
    if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
      add('warning', `Plain http: sends call data to ${url.hostname} unencrypted; use https://.`, scan.scheme?.start, scan.scheme?.end);
    }
    if (scan.userinfo) {
      add(
        kind === 'cdr' ? 'error' : 'warning',
        'The URL holds a user name or password: browsers refuse to fetch such URLs (CTI and post-call requests fail), and logs show them redacted. Put a token in a query parameter instead.',
        scan.userinfo.start,
        scan.userinfo.end,
      );
    }
  }
  return issues.sort((a, b) => a.start - b.start || a.end - b.end);
}

function unknownMessage(name: string, kind: TemplateKind): string {
  const other: TemplateKind = kind === 'call' ? 'cdr' : 'call';
  if (KNOWN[other].includes(name)) {
    const where = other === 'cdr' ? 'post-call templates' : 'pop-up and CTI control templates';
    return `%%${name}%% is only available in ${where}; here it is sent as written.`;
  }
  const suggestion = closestName(name, KNOWN[kind]);
  return `Unknown variable %%${name}%%: it is sent as written.${suggestion ? ` Did you mean %%${suggestion}%%?` : ''}`;
}

/** Groups of known path tokens that make up a path segment on their own (`/%%exten%%/`). */
function wholeSegmentTokens(template: string, tokens: TemplateToken[], known: ReadonlySet<string>): TemplateToken[][] {
  const bySegment = new Map<number, TemplateToken[]>();
  for (const token of tokens) {
    if (token.place !== 'path') continue;
    bySegment.set(token.segment, [...(bySegment.get(token.segment) ?? []), token]);
  }
  return [...bySegment.values()].filter((group) => {
    const first = group[0]!;
    const last = group[group.length - 1]!;
    const before = template[first.start - 1];
    const after = template[last.end];
    const onlyTokens = template.slice(first.start, last.end).replace(/%%[a-z0-9_]+%%/g, '') === '';
    return onlyTokens && group.every((t) => known.has(t.name)) && /[/\\]/.test(before ?? '') && (after === undefined || /[/\\?#]/.test(after));
  });
}

/** The known name nearest to `name` by edit distance, if it is close enough to be a typo. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of known) {
    const distance = candidate.startsWith(name) || name.startsWith(candidate) ? 1 : editDistance(name, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || /^127\./.test(hostname) || hostname === '[::1]';
}

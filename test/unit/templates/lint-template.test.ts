import { describe, expect, it } from 'vitest';
import { closestName, lintTemplate } from '../../../utils/templates/lint-template';
import { CALL_VARIABLES } from '../../../utils/templates/variables';

/** The issue list as [severity, marked text, message fragment] for readable expectations. */
const lint = (template: string, kind: 'call' | 'cdr' = 'call') =>
  lintTemplate(template, kind).map((i) => [i.severity, template.slice(i.start, i.end), i.message] as const);

describe('lintTemplate', () => {
  it('has nothing to say about a good template or an empty one (feature off)', () => {
    expect(lint('https://crm.example/contacts?phone=%%calleridnumber%%&n=%%calleridname%%')).toEqual([]);
    expect(lint('http://localhost:8080/cti?n=%%calleridnumber%%')).toEqual([]);
    expect(lint('http://127.0.0.1/cti/call-%%uniqueid%%?x=1')).toEqual([]);
    expect(lint('')).toEqual([]);
    expect(lint('   ')).toEqual([]);
  });

  it('flags an unknown variable with a suggestion', () => {
    expect(lint('https://crm.example/?q=%%callerid_number%%')).toEqual([
      ['warning', '%%callerid_number%%', expect.stringContaining('Did you mean %%calleridnumber%%?')],
    ]);
    expect(lint('https://crm.example/?q=%%exen%%')[0]?.[2]).toContain('Did you mean %%exten%%?');
  });

  it('does not suggest a name for something unlike any variable', () => {
    expect(lint('https://crm.example/?q=%%zzzzzzzz%%')[0]?.[2]).toBe('Unknown variable %%zzzzzzzz%%: it is sent as written.');
  });

  it('says when a name belongs to the other kind of template', () => {
    expect(lint('https://crm.example/?s=%%billsec%%')[0]?.[2]).toContain('only available in post-call templates');
    expect(lint('https://crm.example/?s=%%calleridname%%', 'cdr')[0]?.[2]).toContain('only available in pop-up and CTI control templates');
  });

  it('flags capitalised look-alikes', () => {
    expect(lint('https://crm.example/?q=%%CallerIDNumber%%')).toEqual([
      ['warning', '%%CallerIDNumber%%', expect.stringContaining('Did you mean %%calleridnumber%%?')],
    ]);
  });

  it.each([
    ['%%exten%%://crm.example/', 'the scheme'],
    ['https://%%exten%%.crm.example/', 'the host name'],
    ['https://crm.example:%%exten%%/', 'the port'],
    ['https://u:%%exten%%@crm.example/', 'the user name or password'],
    ['https://crm.example/?%%exten%%=1', 'a query parameter name'],
  ])('marks a variable in the wrong place: %s', (template, where) => {
    const issues = lint(template);
    expect(issues).toContainEqual(['error', '%%exten%%', expect.stringContaining(`is in ${where}`)]);
    expect(issues.filter(([severity]) => severity === 'error')).toHaveLength(1);
  });

  it('rejects non-http schemes at the scheme', () => {
    expect(lint('javascript:alert(1)')).toEqual([['error', 'javascript', expect.stringContaining('"javascript:" is not allowed')]]);
    expect(lint('ftp://crm.example/')).toEqual([['error', 'ftp', expect.stringContaining('"ftp:" is not allowed')]]);
  });

  it('rejects malformed templates as a whole', () => {
    expect(lint('crm.example/?q=%%exten%%')).toEqual([
      ['error', 'crm.example/?q=%%exten%%', expect.stringContaining('not an absolute URL')],
    ]);
    expect(lint('https://crm example/')).toEqual([['error', 'https://crm example/', expect.stringContaining('not a valid URL')]]);
  });

  it('warns about plain http to a remote host', () => {
    expect(lint('http://crm.example/?q=%%calleridnumber%%')).toEqual([
      ['warning', 'http', expect.stringContaining('unencrypted')],
    ]);
    expect(lint('http://sub.localhost/?q=1')).toEqual([]);
    expect(lint('http://[::1]:8080/?q=1')).toEqual([]);
  });

  it('warns about credentials in the URL, and errs for post-call requests that fetch() would refuse', () => {
    expect(lint('https://user:pw@crm.example/')).toEqual([['warning', 'user:pw', expect.stringContaining('redacted')]]);
    expect(lint('https://user:pw@crm.example/', 'cdr')).toEqual([['error', 'user:pw', expect.stringContaining('refuse')]]);
  });

  it('warns when a variable fills a whole path segment', () => {
    expect(lint('https://crm.example/c/%%calleridnumber%%/view')).toEqual([
      ['warning', '%%calleridnumber%%', expect.stringContaining('whole path segment')],
    ]);
    expect(lint('https://crm.example/c/%%exten%%%%did%%?x=1')).toEqual([
      ['warning', '%%exten%%%%did%%', expect.stringContaining('whole path segment')],
    ]);
    expect(lint('https://crm.example/c/n-%%calleridnumber%%')).toEqual([]);
  });

  it('warns that a fragment variable in a post-call URL is never sent', () => {
    expect(lint('https://crm.example/cdr#%%uniqueid%%', 'cdr')).toEqual([
      ['warning', '%%uniqueid%%', expect.stringContaining('never sent')],
    ]);
    expect(lint('https://crm.example/#/c/%%uniqueid%%', 'call')).toEqual([]);
  });

  it('sorts issues by position and gives offsets that index the template', () => {
    const template = 'http://crm.example/%%exten%%/?a=%%nosuch%%&b=%%Did%%';
    const issues = lintTemplate(template, 'call');
    expect(issues.map((i) => i.start)).toEqual([...issues.map((i) => i.start)].sort((a, b) => a - b));
    expect(issues.map((i) => template.slice(i.start, i.end))).toEqual(['http', '%%exten%%', '%%nosuch%%', '%%Did%%']);
  });
});

describe('closestName', () => {
  it('picks the nearest known name within a small edit distance', () => {
    expect(closestName('calleridnum', CALL_VARIABLES)).toBe('calleridnumber');
    expect(closestName('acountcode', CALL_VARIABLES)).toBe('accountcode');
    expect(closestName('qqq', CALL_VARIABLES)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { fieldError } from '@/components/options/field-error';
import { draftErrors, draftFrom, draftToPatch } from '@/components/options/form-draft';
import { isGranted } from '@/components/options/grants';
import { checkTemplate, insertVariable, variablesFor } from '@/components/options/template-check';
import { formatReply, stepTiming } from '@/components/options/test-bench-model';
import { repairSettings } from '@/utils/settings/repair-settings';
import { SETTINGS_FIELDS } from '@/utils/settings/settings-fields';
import type { TestBenchStep } from '@/utils/messages';

const field = (path: string) => SETTINGS_FIELDS.find((f) => f.path === path)!;

describe('form model from the schema', () => {
  it('has one control per leaf, with kinds, limits and template kinds from the schema', () => {
    expect(field('connection.secret')).toMatchObject({ kind: 'secret', secret: true });
    expect(field('cti.postCallUrl')).toMatchObject({ kind: 'template', template: 'cdr' });
    expect(field('advanced.lookupTimeoutMs')).toMatchObject({ kind: 'number', min: 100, max: 30000, defaultValue: 2000 });
    expect(field('behaviour.target').options).toEqual(['sidepanel', 'tab', 'window']);
    expect(field('cti.applicationRules').itemFields?.map((f) => `${f.path}:${f.kind}`)).toEqual([
      'cti.applicationRules.type:choice',
      'cti.applicationRules.name:text',
      'cti.applicationRules.direction:choice',
      'cti.applicationRules.did:text',
      'cti.applicationRules.url:template',
    ]);
  });
});

describe('fieldError', () => {
  it('explains range, number, length and format problems with the schema limits', () => {
    expect(fieldError(field('advanced.lookupTimeoutMs'), 5)).toEqual({ key: 'error_range', subs: [100, 30000] });
    expect(fieldError(field('advanced.lookupTimeoutMs'), Number.NaN)).toEqual({ key: 'error_number', subs: [] });
    expect(fieldError(field('advanced.lookupTimeoutMs'), 2.5)).toEqual({ key: 'error_number', subs: [] });
    expect(fieldError(field('numbers.homeCountry'), 'de')).toEqual({ key: 'error_format', subs: [] });
    expect(fieldError(field('connection.url'), 'x'.repeat(3000))).toEqual({ key: 'error_too_long', subs: [2048] });
    expect(fieldError(field('connection.url'), 'wss://pbx')).toBeUndefined();
  });
});

describe('form draft', () => {
  const loaded = repairSettings({ connection: { url: 'wss://pbx/ws', secret: 'stored-token' } }).settings;

  it('never puts a stored secret into the form and leaves it out of the patch until edited', () => {
    const draft = draftFrom(loaded);
    expect(draft.values.connection.secret).toBe('');
    expect(draftToPatch(draft).connection).not.toHaveProperty('secret');
    expect(draftToPatch(draft).connection?.url).toBe('wss://pbx/ws');
    const edited = { ...draft, editedSecrets: new Set(['connection.secret']) };
    edited.values.connection.secret = 'new-token';
    expect(draftToPatch(edited).connection?.secret).toBe('new-token');
  });

  it('collects errors by path, record fields by index, skipping locked fields', () => {
    const values = draftFrom(loaded).values;
    values.advanced.historySize = 1;
    values.numbers.homeCountry = 'Germany';
    values.cti.applicationRules = [{ type: 'queue', name: 'x'.repeat(200), direction: 'any', did: '', url: '' }];
    const errors = draftErrors(values, new Set(['numbers.homeCountry']));
    expect([...errors.keys()]).toEqual(['cti.applicationRules.0.name', 'advanced.historySize']);
  });
});

describe('template check', () => {
  it('previews a template against the sample call, encoded', () => {
    const check = checkTemplate('https://crm.example.com/search?q=%%calleridnumber%%', 'call');
    expect(check.preview).toEqual({ ok: true, url: 'https://crm.example.com/search?q=%2B49%2030%201234567' });
    expect(check.issues).toEqual([]);
  });

  it('reports what the linter finds and why the URL would be refused', () => {
    const check = checkTemplate('https://%%calleridname%%.example.com/', 'call');
    expect(check.preview?.ok).toBe(false);
    expect(check.issues.some((i) => i.severity === 'error')).toBe(true);
  });

  it('uses the CDR variables for post-call templates and nothing for an empty one', () => {
    expect(variablesFor('cdr')).toContain('billsec');
    expect(checkTemplate('https://x.example/cdr?b=%%billsec%%', 'cdr').preview).toEqual({ ok: true, url: 'https://x.example/cdr?b=83' });
    expect(checkTemplate('  ', 'call')).toEqual({ preview: undefined, issues: [] });
  });

  it('inserts a variable at the caret or over the selection', () => {
    expect(insertVariable('https://x/?q=', 'did', 13, 13)).toEqual({ text: 'https://x/?q=%%did%%', caret: 20 });
    expect(insertVariable('ab-cd', 'exten', 2, 3)).toEqual({ text: 'ab%%exten%%cd', caret: 11 });
  });
});

describe('test bench model', () => {
  it('measures a step against its timeout', () => {
    const base: TestBenchStep = { point: 'inbound', template: '', warnings: [] };
    expect(stepTiming({ ...base, ms: 500, timeoutMs: 2000 })).toEqual({ ms: 500, timeoutMs: 2000, percent: 25, late: false });
    expect(stepTiming({ ...base, ms: 2100, timeoutMs: 2000 })).toEqual({ ms: 2100, timeoutMs: 2000, percent: 100, late: true });
    expect(stepTiming({ ...base, refused: 'no' })).toBeUndefined();
    expect(stepTiming({ ...base, ms: 4.300000000046566 })).toEqual({ ms: 4, percent: 100, late: false });
    expect(formatReply({ set: { accountcode: 'A' } })).toBe('{\n  "set": {\n    "accountcode": "A"\n  }\n}');
  });
});

describe('isGranted', () => {
  it('accepts exact and wider grants only', () => {
    expect(isGranted('https://crm.example.com/*', ['https://crm.example.com/*'])).toBe(true);
    expect(isGranted('https://crm.example.com/*', ['https://*/*'])).toBe(true);
    expect(isGranted('https://crm.example.com/*', ['<all_urls>'])).toBe(true);
    expect(isGranted('https://crm.example.com/*', ['http://crm.example.com/*', 'https://other.example/*'])).toBe(false);
  });
});

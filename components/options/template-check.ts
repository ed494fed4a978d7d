import { expandTemplate } from '@/utils/templates/expand-template';
import { lintTemplate, type LintIssue } from '@/utils/templates/lint-template';
import { CALL_VARIABLES, CDR_VARIABLES } from '@/utils/templates/variables';
import { SAMPLE_CALL_VARIABLES, SAMPLE_CDR_VARIABLES } from './sample-call';

export interface TemplateCheck {
  /** The sample call's URL, or why it would not be requested. */
  preview: { ok: true; url: string } | { ok: false; reason: string } | undefined;
  issues: LintIssue[];
}

/** The variables a template of this kind may use, for the picker. */
export function variablesFor(kind: 'call' | 'cdr'): readonly string[] {
  return kind === 'cdr' ? CDR_VARIABLES : CALL_VARIABLES;
}

/** Preview against the sample call plus the linter's findings; nothing for an empty template. */
export function checkTemplate(template: string, kind: 'call' | 'cdr'): TemplateCheck {
  if (!template.trim()) return { preview: undefined, issues: [] };
  const variables = kind === 'cdr' ? SAMPLE_CDR_VARIABLES : SAMPLE_CALL_VARIABLES;
  const result = expandTemplate(template, variables, { known: variablesFor(kind) });
  return {
    preview: result.ok ? { ok: true, url: result.url } : { ok: false, reason: result.reason },
    issues: lintTemplate(template, kind),
  };
}

/** Puts `%%name%%` at the caret (or over the selection); returns the new text and caret. */
export function insertVariable(text: string, name: string, start: number, end: number): { text: string; caret: number } {
  const token = `%%${name}%%`;
  return { text: text.slice(0, start) + token + text.slice(end), caret: start + token.length };
}

import { useRef } from 'preact/hooks';
import { useT } from '../i18n-context';
import { checkTemplate, insertVariable, variablesFor } from './template-check';

export interface TemplateFieldProps {
  id: string;
  value: string;
  kind: 'call' | 'cdr';
  disabled: boolean;
  invalid: boolean;
  describedBy: string;
  testid: string;
  onChange: (value: string) => void;
}

/** A URL template with a variable picker, a live preview against a sample call and lint findings. */
export function TemplateField({ id, value, kind, disabled, invalid, describedBy, testid, onChange }: TemplateFieldProps) {
  const t = useT();
  const input = useRef<HTMLTextAreaElement>(null);
  const check = checkTemplate(value, kind);
  const insert = (name: string) => {
    const el = input.current;
    const start = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? value.length;
    const next = insertVariable(value, name, start, end);
    onChange(next.text);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(next.caret, next.caret);
    });
  };
  return (
    <div class="template-field">
      <div class="template-input">
        <textarea
          id={id}
          ref={input}
          rows={2}
          class="mono"
          spellcheck={false}
          value={value}
          disabled={disabled}
          aria-invalid={invalid || check.issues.some((i) => i.severity === 'error')}
          aria-describedby={`${describedBy} ${id}-check`}
          data-testid={testid}
          placeholder="https://crm.example.com/search?phone=%%calleridnumber_e164%%"
          onInput={(e) => onChange(e.currentTarget.value)}
        />
        <label class="sr-only" for={`${id}-picker`}>{t('insert_variable')}</label>
        <select
          id={`${id}-picker`}
          value=""
          disabled={disabled}
          data-testid={`${testid}-picker`}
          onChange={(e) => {
            if (e.currentTarget.value) insert(e.currentTarget.value);
            e.currentTarget.value = '';
          }}
        >
          <option value="">{t('insert_variable')}</option>
          {variablesFor(kind).map((name) => <option key={name} value={name}>%%{name}%%</option>)}
        </select>
      </div>
      <div id={`${id}-check`} class="template-check" aria-live="polite">
        {check.issues.map((issue, i) => (
          <div key={i} class={`lint lint-${issue.severity}`} data-testid={`${testid}-lint`} data-severity={issue.severity}>
            <span class="badge">{t(`lint_${issue.severity}`)}</span> {issue.message}
            {issue.end > issue.start && issue.end - issue.start < value.length && (
              <code class="mono lint-span">{value.slice(issue.start, issue.end)}</code>
            )}
          </div>
        ))}
        {/* A refusal the linter already explains as an error is not repeated. */}
        {check.preview && (check.preview.ok || !check.issues.some((i) => i.severity === 'error')) && (
          <div class="preview" data-testid={`${testid}-preview`} data-ok={String(check.preview.ok)}>
            <span class="muted">{t('preview_label')}</span>{' '}
            {check.preview.ok ? <span class="mono">{check.preview.url}</span> : <span class="lint-error-text">{check.preview.reason}</span>}
          </div>
        )}
      </div>
    </div>
  );
}

import { useEffect, useRef, useState } from 'preact/hooks';
import type { LoadedSettings } from '@/utils/adapters/settings-storage';
import type { ImportResult } from '@/utils/settings/export-settings';
import { getPath, setPath } from '@/utils/settings/object-path';
import { requiredOrigins } from '@/utils/settings/required-origins';
import type { Settings } from '@/utils/settings/schema';
import type { SettingsPatch } from '@/utils/settings/settings-diff';
import { SETTINGS_FIELDS, SETTINGS_SECTIONS } from '@/utils/settings/settings-fields';
import { sectionKey } from '@/utils/i18n';
import { useT } from '../i18n-context';
import { WithLockIcon } from '../lock-icon';
import { FieldControl } from './field-control';
import { draftErrors, draftFrom, draftToPatch, type FormDraft } from './form-draft';
import { isGranted } from './grants';
import { ImportExport } from './import-export';
import { PermissionsPanel } from './permissions-panel';
import { RulesEditor } from './rules-editor';
import { SignOut, type SignOutProps } from './sign-out';
import { checkTransport } from '@/utils/connectors/transport-rule';
import { TestBench, type TestBenchProps } from './test-bench';
import { DialPreview } from './dial-preview';

export interface SaveOutcome {
  saved: Promise<{ ok: true } | { ok: false; error: string }>;
  /** The origins still not granted once the browser's permission prompt is answered. */
  notGranted: Promise<string[]>;
}

export interface OptionsAppProps extends Pick<TestBenchProps, 'onRun' | 'onTestConnection'>, SignOutProps {
  loaded: LoadedSettings | undefined;
  /** Origins the browser has granted (permissions.getAll). */
  granted: string[];
  /**
   * Must call `permissions.request` before its first `await`: it runs inside the Save click,
   * the user gesture browsers require. Saving does not wait for the permission prompt.
   */
  onSave: (patch: SettingsPatch, origins: string[]) => SaveOutcome;
  onGrant: (origins: string[]) => void;
  onExport: (includeSecrets: boolean) => void;
  importSettings: (text: string, current: Settings) => ImportResult;
}

type Status = { tone: 'ok' | 'warn' | 'error'; text: string; details?: string[] } | undefined;

const EXTRA_SECTIONS = ['permissions', 'testbench', 'importexport', 'signout'];

/** The options page: a form generated from the settings schema, plus permissions, test bench, import/export. */
export function OptionsApp(props: OptionsAppProps) {
  const t = useT();
  const { loaded } = props;
  const [draft, setDraft] = useState<FormDraft>();
  const [status, setStatus] = useState<Status>();
  const [saving, setSaving] = useState(false);
  // The values the draft started from: the user has edited when the draft differs from them (not
  // from newer stored settings, which would make every change made elsewhere look like an edit).
  const base = useRef<string>();
  const dirty = !!draft && (draft.editedSecrets.size > 0 || JSON.stringify(draft.values) !== base.current);

  // Take new stored settings unless the user is in the middle of editing; after a save the draft
  // is dropped, and refilled here from whichever settings arrive (save result or subscription).
  useEffect(() => {
    if (!loaded || (draft && dirty)) return;
    const next = draftFrom(loaded.settings);
    base.current = JSON.stringify(next.values);
    setDraft(next);
  }, [loaded, draft === undefined]);

  if (!loaded || !draft) return <p class="muted page-loading">{t('loading')}</p>;

  // Policy-only fields (the transport exception) are never the user's to change.
  const locked = new Set([...loaded.locked, ...SETTINGS_FIELDS.filter((f) => f.policyOnly).map((f) => f.path)]);
  const errors = draftErrors(draft.values, locked);
  const origins = requiredOrigins(draft.values);
  // The transport rule as the background applies it, shown before Save (utils/connectors/transport-rule).
  const transport = draft.values.connection.url ? checkTransport(draft.values.connection.url, loaded.settings.security.allowPlainPbx) : undefined;
  const grants = origins.patterns.map((pattern) => ({ pattern, granted: isGranted(pattern, props.granted) }));

  const change = (path: string, value: unknown) => {
    const values = structuredClone(draft.values);
    setPath(values as unknown as Record<string, unknown>, path, value);
    const field = SETTINGS_FIELDS.find((f) => f.path === path);
    const editedSecrets = field?.secret ? new Set([...draft.editedSecrets, path]) : draft.editedSecrets;
    setDraft({ values, editedSecrets });
  };

  const save = () => {
    if (errors.size) {
      setStatus({ tone: 'error', text: t('save_invalid', errors.size) });
      return;
    }
    setSaving(true);
    // Called synchronously: onSave requests host permissions inside this click.
    const outcome = props.onSave(draftToPatch(draft), origins.patterns);
    void outcome.saved.then((saved) => {
      setSaving(false);
      if (!saved.ok) return setStatus({ tone: 'error', text: t('save_failed'), details: saved.error.split('\n') });
      setDraft(undefined);
      setStatus({ tone: 'ok', text: t('saved') });
      void outcome.notGranted.then((missing) => {
        if (missing.length) setStatus({ tone: 'warn', text: t('saved_not_granted'), details: missing });
      });
    });
  };

  const importText = (text: string) => {
    const result = props.importSettings(text, loaded.user);
    if (!result.ok) return setStatus({ tone: 'error', text: t('import_failed'), details: [result.error] });
    const values = structuredClone(result.settings);
    for (const path of locked) setPath(values as unknown as Record<string, unknown>, path, getPath(loaded.settings, path));
    // A dropped secret is an edit to '' (Save stores it empty, and the form asks for it).
    const editedSecrets = new Set<string>(result.secretDropped && !locked.has('connection.secret') ? ['connection.secret'] : []);
    setDraft({ values: { ...values, connection: { ...values.connection, secret: '' } }, editedSecrets });
    setStatus({ tone: result.problems.length ? 'warn' : 'ok', text: t('imported'), details: result.problems });
  };

  return (
    <div class="options">
      <header class="options-header">
        <div class="options-header-inner spread">
          <h1>{t('options_title')}</h1>
          <div class="row">
            {status && (
              <span class={`badge tone-${status.tone}`} role="status" data-testid="save-status" data-tone={status.tone}>{status.text}</span>
            )}
            {dirty && !status && <span class="muted" data-testid="unsaved">{t('unsaved')}</span>}
            <button type="button" class="primary" data-testid="save" disabled={saving} onClick={save}>{saving ? t('saving') : t('save')}</button>
          </div>
        </div>
      </header>
      <div class="options-layout">
        <nav aria-label={t('options_nav')} class="options-nav">
          <ul>
            {[...SETTINGS_SECTIONS, ...EXTRA_SECTIONS].map((s) => (
              <li key={s}><a href={`#${s}`}>{t(sectionKey(s))}</a></li>
            ))}
          </ul>
        </nav>
        <main class="stack options-main">
          {status?.details && status.details.length > 0 && (
            <div class={`notice tone-${status.tone}`} data-testid="status-details">
              <ul>{status.details.map((d) => <li key={d}>{d}</li>)}</ul>
            </div>
          )}
          {loaded.problems.length > 0 && (
            <div class="notice tone-warn" data-testid="load-problems">
              <strong>{t('load_problems')}</strong>
              <ul>{loaded.problems.map((p) => <li key={p}>{p}</li>)}</ul>
            </div>
          )}
          {loaded.locked.size > 0 && <p class="notice tone-warn"><span><WithLockIcon text={t('policy_notice')} /></span></p>}
          {SETTINGS_SECTIONS.map((section) => (
            <section key={section} id={section} class="card stack section" aria-labelledby={`${section}-heading`}>
              <h2 id={`${section}-heading`}>{t(sectionKey(section))}</h2>
              {section === 'connection' && transport && !transport.ok && (
                <p class="notice tone-error" role="alert" data-testid="transport-refused"><span>{t('transport_refused')}</span></p>
              )}
              {section === 'connection' && <p class="help muted" data-testid="transport-help">{t('transport_help')}</p>}
              {SETTINGS_FIELDS.filter((f) => f.section === section).map((field) =>
                field.kind === 'records' ? (
                  <RulesEditor
                    key={field.path}
                    field={field}
                    rules={getPath(draft.values, field.path) as Record<string, unknown>[]}
                    locked={locked.has(field.path)}
                    errors={errors}
                    onChange={(rules) => change(field.path, rules)}
                  />
                ) : (
                  <FieldControl
                    key={field.path}
                    field={field}
                    id={field.path.replace(/\./g, '-')}
                    value={getPath(draft.values, field.path)}
                    locked={locked.has(field.path)}
                    error={errors.get(field.path)}
                    secretStored={field.secret && getPath(loaded.settings, field.path) !== ''}
                    onChange={(value) => change(field.path, value)}
                  />
                ),
              )}
              {section === 'dialling' && <DialPreview settings={draft.values} id="dial-preview-options" />}
            </section>
          ))}
          <section id="permissions" class="card stack section" aria-labelledby="permissions-heading">
            <h2 id="permissions-heading">{t(sectionKey('permissions'))}</h2>
            <PermissionsPanel grants={grants} problems={origins.problems} onGrant={() => props.onGrant(origins.patterns)} />
          </section>
          <section id="testbench" class="card stack section" aria-labelledby="testbench-heading">
            <h2 id="testbench-heading">{t(sectionKey('testbench'))}</h2>
            <TestBench dirty={dirty} onRun={props.onRun} onTestConnection={props.onTestConnection} />
            <DialPreview settings={draft.values} id="dial-preview-bench" />
          </section>
          <section id="importexport" class="card stack section" aria-labelledby="importexport-heading">
            <h2 id="importexport-heading">{t(sectionKey('importexport'))}</h2>
            <ImportExport onExport={props.onExport} onImport={importText} />
          </section>
          <section id="signout" class="card stack section" aria-labelledby="signout-heading">
            <h2 id="signout-heading">{t(sectionKey('signout'))}</h2>
            <SignOut onSignOut={props.onSignOut} />
          </section>
        </main>
      </div>
    </div>
  );
}

import { useState } from 'preact/hooks';
import type { MessageResult } from '@/utils/adapters/messaging';
import { APPLICATION_TYPES, type ApplicationType, type Direction } from '@/utils/templates/variables';
import type { TestBenchCall, TestBenchResult } from '@/utils/messages';
import { useT } from '../i18n-context';
import { ChangeList } from '../lookup-list';
import { formatReply, stepTiming } from './test-bench-model';

export interface TestBenchProps {
  /** True while the form has unsaved changes: the bench runs the saved settings. */
  dirty: boolean;
  onRun: (call: TestBenchCall) => Promise<MessageResult<TestBenchResult>>;
  onTestConnection: () => Promise<MessageResult<{ ok: boolean; message: string; ms: number }>>;
}

interface BenchForm {
  number: string;
  name: string;
  direction: Direction;
  appType: ApplicationType | '';
  appName: string;
  did: string;
}

/** Simulates a call through the saved settings and shows every request, reply, timing and the pop. */
export function TestBench({ dirty, onRun, onTestConnection }: TestBenchProps) {
  const t = useT();
  const [form, setForm] = useState<BenchForm>({ number: '+49 30 1234567', name: 'Test Caller', direction: 'inbound', appType: '', appName: '', did: '' });
  const [running, setRunning] = useState(false);
  const [outcome, setOutcome] = useState<MessageResult<TestBenchResult>>();
  const [connection, setConnection] = useState<MessageResult<{ ok: boolean; message: string; ms: number }> | 'running'>();
  const set = (patch: Partial<BenchForm>) => setForm({ ...form, ...patch });

  const run = async (e: Event) => {
    e.preventDefault();
    setRunning(true);
    const call: TestBenchCall = {
      number: form.number,
      name: form.name,
      direction: form.direction,
      ...(form.did ? { did: form.did } : {}),
      ...(form.appType ? { application: { type: form.appType, name: form.appName } } : {}),
    };
    setOutcome(await onRun(call));
    setRunning(false);
  };
  const testConnection = async () => {
    setConnection('running');
    setConnection(await onTestConnection());
  };

  return (
    <div class="stack test-bench">
      {dirty && <p class="notice tone-warn"><span>{t('bench_unsaved')}</span></p>}
      <div class="row">
        <button type="button" data-testid="test-connection" disabled={connection === 'running'} onClick={testConnection}>{t('test_connection')}</button>
        {connection && connection !== 'running' && (
          <span class={`badge tone-${connection.ok && connection.value.ok ? 'ok' : 'error'}`} role="status" data-testid="test-connection-result">
            {connection.ok ? `${connection.value.message} (${t('ms', connection.value.ms)})` : connection.error}
          </span>
        )}
      </div>
      <form class="bench-form" onSubmit={run}>
        <label>{t('bench_number')}<input data-testid="bench-number" value={form.number} onInput={(e) => set({ number: e.currentTarget.value })} /></label>
        <label>{t('bench_name')}<input data-testid="bench-name" value={form.name} onInput={(e) => set({ name: e.currentTarget.value })} /></label>
        <label>
          {t('bench_direction')}
          <select data-testid="bench-direction" value={form.direction} onChange={(e) => set({ direction: e.currentTarget.value as Direction })}>
            {(['inbound', 'outbound', 'internal'] as const).map((d) => <option key={d} value={d}>{t(`direction_${d}`)}</option>)}
          </select>
        </label>
        <label>{t('bench_did')}<input data-testid="bench-did" value={form.did} onInput={(e) => set({ did: e.currentTarget.value })} /></label>
        <label>
          {t('bench_app_type')}
          <select data-testid="bench-app-type" value={form.appType} onChange={(e) => set({ appType: e.currentTarget.value as ApplicationType | '' })}>
            <option value="">{t('bench_app_none')}</option>
            {APPLICATION_TYPES.map((a) => <option key={a} value={a}>{t(`app_${a}`)}</option>)}
          </select>
        </label>
        <label>{t('bench_app_name')}<input data-testid="bench-app-name" value={form.appName} disabled={!form.appType} onInput={(e) => set({ appName: e.currentTarget.value })} /></label>
        <div class="bench-actions">
          <button type="submit" class="primary" data-testid="bench-run" disabled={running}>{running ? t('bench_running') : t('bench_run')}</button>
        </div>
      </form>
      <div aria-live="polite" data-testid="bench-result">
        {outcome && !outcome.ok && <p class="notice tone-error" role="alert" data-testid="bench-error"><span>{outcome.error}</span></p>}
        {outcome?.ok && <BenchResult result={outcome.value} />}
      </div>
    </div>
  );
}

function BenchResult({ result }: { result: TestBenchResult }) {
  const t = useT();
  return (
    <div class="stack">
      {result.steps.length === 0 && <p class="muted">{t('bench_no_steps')}</p>}
      {result.steps.map((step, i) => {
        const timing = stepTiming(step);
        const reply = formatReply(step.reply);
        return (
          <div key={i} class="card step" data-testid="bench-step" data-point={step.point} data-outcome={step.outcome ?? (step.refused ? 'refused' : '')}>
            <div class="spread">
              <strong>{t(`point_${step.point}`)}</strong>
              {step.status !== undefined && <span class="badge">HTTP {step.status}</span>}
            </div>
            {step.outcome && (
              <div class={`step-outcome ${/^ok\b/.test(step.outcome) ? 'ok' : 'failed'}`} data-testid="bench-step-outcome">{step.outcome}</div>
            )}
            <div class="muted mono">{step.template}</div>
            {step.url && <div class="mono" data-testid="bench-step-url">→ {step.url}</div>}
            {step.refused && <p class="notice tone-error" data-testid="bench-step-refused"><span>{t('bench_refused', step.refused)}</span></p>}
            {step.warnings.map((w, j) => <div key={j} class="lint lint-warning"><span class="badge">{t('lint_warning')}</span> {w}</div>)}
            {timing && (
              <div class="timing" data-testid="bench-step-timing">
                <div class="timing-bar"><div class={timing.late ? 'late' : ''} style={{ width: `${timing.percent}%` }} /></div>
                <span class="mono muted">{timing.timeoutMs ? t('bench_timing', timing.ms, timing.timeoutMs) : t('ms', timing.ms)}</span>
              </div>
            )}
            {reply && (
              <details open>
                <summary>{t('bench_reply')}</summary>
                <pre class="mono" data-testid="bench-step-reply">{reply}</pre>
              </details>
            )}
            {step.changes && <ChangeList changes={step.changes} />}
          </div>
        );
      })}
      <div class="card" data-testid="bench-pop">
        <strong>{t('bench_pop')}</strong>{' '}
        <span class="badge">{result.pop.target}</span>
        {result.pop.url && <div class="mono">{result.pop.url}</div>}
        {result.pop.refused && <p class="notice tone-error"><span>{result.pop.refused}</span></p>}
      </div>
      {Object.keys(result.variables).length > 0 && (
        <details>
          <summary>{t('bench_variables')}</summary>
          <table class="vars mono">
            <tbody>
              {Object.entries(result.variables).map(([k, v]) => <tr key={k}><th>{k}</th><td>{v}</td></tr>)}
            </tbody>
          </table>
        </details>
      )}
    </div>
  );
}

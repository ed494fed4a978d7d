import { useState } from 'preact/hooks';
import { useT } from '../i18n-context';

export interface ImportExportProps {
  onExport: (includeSecrets: boolean) => void;
  /** Loads a file's text into the form; Save still has to be pressed. */
  onImport: (text: string) => void;
}

export function ImportExport({ onExport, onImport }: ImportExportProps) {
  const t = useT();
  const [includeSecrets, setIncludeSecrets] = useState(false);
  return (
    <div class="stack">
      <div class="row">
        <button type="button" data-testid="export" onClick={() => onExport(includeSecrets)}>{t('export')}</button>
        <label class="row">
          <input type="checkbox" data-testid="export-secrets" checked={includeSecrets} onChange={(e) => setIncludeSecrets(e.currentTarget.checked)} />
          {t('export_secrets')}
        </label>
      </div>
      <div class="row">
        <label for="import-file" class="button">{t('import')}</label>
        <input
          id="import-file"
          type="file"
          accept="application/json,.json"
          class="sr-only"
          data-testid="import-file"
          onChange={async (e) => {
            const file = e.currentTarget.files?.[0];
            if (file) onImport(await file.text());
            e.currentTarget.value = '';
          }}
        />
        <span class="help muted">{t('import_help')}</span>
      </div>
    </div>
  );
}

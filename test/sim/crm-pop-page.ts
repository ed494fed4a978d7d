import type { Contact } from './crm-contacts';
import { escapeHtml } from './html-escape';

/** The CRM page a pop opens: what it was opened with, escaped, so tests and people can check it. */
export function popPage(rawQuery: string, params: [string, string][], contact: Contact | undefined): string {
  const rows = params.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td data-param="${escapeHtml(k)}">${escapeHtml(v)}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Demo CRM – ${escapeHtml(contact?.name ?? 'unknown caller')}</title>
<style>body{font:14px system-ui,sans-serif;margin:1.5em}th{text-align:left;padding-right:1em}code{word-break:break-all}</style></head>
<body><h1 id="contact">${contact ? escapeHtml(`${contact.name} · ${contact.company}`) : 'Unknown caller'}</h1>
<p>Opened with <code id="raw-query">${escapeHtml(rawQuery)}</code></p>
<table id="params">${rows}</table></body></html>`;
}

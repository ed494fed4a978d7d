/** Looks a message up; substitutions fill `$1`…`$9` (browser.i18n rules). */
export type Translate = (key: string, ...substitutions: (string | number)[]) => string;

/**
 * Wraps `browser.i18n.getMessage` (passed in, so this stays pure). A missing key shows as the key
 * itself rather than an empty string, so a gap is visible on screen and in tests.
 */
export function createTranslate(getMessage: (key: string, substitutions?: string[]) => string): Translate {
  return (key, ...substitutions) => getMessage(key, substitutions.map(String)) || key;
}

/** Message names allow only `[A-Za-z0-9_@]`. */
const safe = (text: string) => text.replace(/[^A-Za-z0-9_]/g, '_');

/** `connection.url` → `settings_connection_url_label` / `…_help`. */
export function settingKey(path: string, part: 'label' | 'help'): string {
  return `settings_${safe(path)}_${part}`;
}

/** `connection.kind`, `json-ws` → `settings_connection_kind_option_json_ws`. */
export function optionKey(path: string, value: string): string {
  return `settings_${safe(path)}_option_${safe(value)}`;
}

/** `advanced` → `section_advanced`. */
export function sectionKey(section: string): string {
  return `section_${safe(section)}`;
}

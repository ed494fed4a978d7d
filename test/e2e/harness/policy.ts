import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BrowserKind } from './launch';
import { CHROME_ID, GECKO_ID } from './paths';

/**
 * Real enterprise policy files, where Debian's browsers read them (TOOLCHAIN.md §6). Writing them
 * needs root. They apply to every browser started on the machine while they exist, so tests keep
 * them for as short a time as they can and always remove them (removePolicy, also in afterAll).
 */
export const POLICY_FILES: Record<BrowserKind, string> = {
  chromium: '/etc/chromium/policies/managed/ctipop-test.json',
  firefox: '/usr/lib/firefox-esr/distribution/policies.json',
};

/** The file's content for `settings` (the managed schema's shape, public/managed_schema.json). */
export function policyDocument(kind: BrowserKind, settings: object): object {
  return kind === 'chromium'
    ? { '3rdparty': { extensions: { [CHROME_ID]: settings } } }
    : { policies: { '3rdparty': { Extensions: { [GECKO_ID]: settings } } } };
}

/**
 * Writes the policy file for `kind`. Refuses to overwrite a file this test did not write (a
 * machine's real policies.json), so nothing of the host's configuration is ever lost.
 */
export function writePolicy(kind: BrowserKind, settings: object): { ok: true; path: string } | { ok: false; error: string } {
  const path = POLICY_FILES[kind];
  if (existsSync(path) && !isOurs(path)) {
    return { ok: false, error: `${path} exists and was not written by this test; move it away to run the policy test` };
  }
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify({ ...policyDocument(kind, settings), [MARK]: true }, null, 2)}\n`);
    return { ok: true, path };
  } catch (e) {
    return { ok: false, error: `cannot write ${path} (${(e as Error).message}); the policy test needs root` };
  }
}

/** Removes the policy file if this test wrote it. Safe to call any number of times. */
export function removePolicy(kind: BrowserKind): void {
  const path = POLICY_FILES[kind];
  if (existsSync(path) && isOurs(path)) rmSync(path, { force: true });
}

/** A key browsers ignore, so a leftover file can be recognised as this test's. */
const MARK = 'ctipopE2eTest';

function isOurs(path: string): boolean {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>)[MARK] === true;
  } catch {
    return false;
  }
}

import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { BrowserKind } from './launch';
import { CHROME_ID, GECKO_ID } from './paths';

/** Real enterprise policy files, where Debian's browsers read them (TOOLCHAIN.md §6). */
export const POLICY_FILES: Record<BrowserKind, string> = {
  chromium: '/etc/chromium/policies/managed/ctipop-test.json',
  firefox: '/usr/lib/firefox-esr/distribution/policies.json',
};

const EXECUTABLES: Record<BrowserKind, string> = { chromium: '/usr/bin/chromium', firefox: '/usr/bin/firefox-esr' };

/** The file's content for `settings` (the managed schema's shape, public/managed_schema.json). */
export function policyDocument(kind: BrowserKind, settings: object): object {
  return kind === 'chromium'
    ? { '3rdparty': { extensions: { [CHROME_ID]: settings } } }
    : { policies: { '3rdparty': { Extensions: { [GECKO_ID]: settings } } } };
}

/**
 * A launcher that starts the browser with `settings` as its enterprise policy, read from the real
 * policy path, yet seen by this browser only: the browser runs in its own mount namespace, where
 * a folder of `dir` holding the policy file is bound over the policy folder. Written to the real
 * folder, the policy would apply to every browser started on the machine meanwhile (the other e2e
 * lane, other test runs). Needs root (as writing the real file did) and util-linux `unshare`.
 * For Firefox the bound folder hides the rest of distribution/ (Debian's search plugins) from it.
 * @returns the launcher's path, to use as the browser's executable
 */
export function policyLauncher(kind: BrowserKind, settings: object, dir: string): string {
  const target = POLICY_FILES[kind];
  const policies = join(dir, 'policies');
  mkdirSync(policies, { recursive: true });
  writeFileSync(join(policies, basename(target)), `${JSON.stringify(policyDocument(kind, settings), null, 2)}\n`);
  // A bind mount needs its mount point; an empty folder changes nothing for other browsers.
  mkdirSync(dirname(target), { recursive: true });
  const launcher = join(dir, 'browser-with-policy.sh');
  const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  writeFileSync(
    launcher,
    `#!/bin/sh\nexec unshare --mount --propagation private sh -c 'mount --bind "$0" "$1" && shift && exec "$@"' ${q(policies)} ${q(dirname(target))} ${q(EXECUTABLES[kind])} "$@"\n`,
  );
  chmodSync(launcher, 0o755);
  return launcher;
}

import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import addonsLinter from 'addons-linter';
import { describe, expect, it } from 'vitest';
import { inLane } from './harness/lanes';
import { FIREFOX_DIR, ROOT } from './harness/paths';

interface Message { code: string; file?: string; message: string }
interface Allowed { code: string; file: string; contains: string; reason: string }

const { allowed } = JSON.parse(readFileSync(`${ROOT}store/addons-linter-allowed.json`, 'utf8')) as { allowed: Allowed[] };
/** A listed warning: its code, a file name of that shape, and the file holds the third-party code named (Preact's renderer). */
const matches = (a: Allowed, m: Message) => a.code === m.code && new RegExp(a.file).test(m.file ?? '') && readFileSync(`${FIREFOX_DIR}/${m.file}`, 'utf8').includes(a.contains);
const isAllowed = (m: Message) => allowed.some((a) => matches(a, m));

/** Mozilla's own validator (what addons.mozilla.org runs on upload), on the Firefox build; in the Firefox lane. */
describe.runIf(inLane('firefox'))('addons-linter on the Firefox build', () => {
  it('reports no errors, no manifest warnings, and only the listed third-party false positives', async () => {
    const linter = addonsLinter.createInstance({
      config: { _: [FIREFOX_DIR], logLevel: 'fatal', stack: false, pretty: false, warningsAsErrors: false, metadata: false, output: 'none', boring: false, selfHosted: false },
      runAsBinary: false,
    });
    const result = await linter.run();
    const show = (ms: Message[]) => ms.map((m) => `${m.code} ${m.file ?? ''}: ${m.message}`);
    expect(show(result.errors)).toEqual([]);
    expect(show(result.warnings.filter((w) => w.file === 'manifest.json'))).toEqual([]);
    expect(show(result.warnings.filter((w) => !isAllowed(w)))).toEqual([]);
    // A listed false positive that no longer occurs is taken off the list.
    expect(allowed.filter((a) => !result.warnings.some((w) => matches(a, w))).map((a) => a.code)).toEqual([]);
    expect(show(result.notices)).toEqual([]);
  });

  it("keeps the listed innerHTML warning a false positive: our code never hands Preact raw HTML", () => {
    const grep = spawnSync('git', ['grep', '-l', 'dangerouslySetInnerHTML', '--', 'components', 'entrypoints', 'utils'], { cwd: ROOT, encoding: 'utf8' });
    // git grep exits 1 when nothing matches.
    expect({ status: grep.status, files: grep.stdout.trim() }).toEqual({ status: 1, files: '' });
  });
});

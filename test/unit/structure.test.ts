import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;

/** The TypeScript files git tracks under `dir` (scratch files in a work tree do not count). */
const TRACKED = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n');
const files = (dir: string) => TRACKED.filter((f) => f.startsWith(`${dir}/`) && /\.tsx?$/.test(f));

/** Source without comments, so a comment that mentions `browser.storage` is no violation. */
const code = (path: string) => readFileSync(join(ROOT, path), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');

describe('project structure (STYLE.md)', () => {
  it('keeps utils/ a pure core: only utils/adapters/ touches browser APIs', () => {
    const offenders = files('utils')
      .filter((f) => !f.startsWith('utils/adapters/'))
      .filter((f) => /wxt\/browser|\bbrowser\.[a-z]|\bchrome\.[a-z]|webextension-polyfill/.test(code(f)));
    expect(offenders).toEqual([]);
  });

  it('keeps components/ free of browser APIs: they take props and callbacks', () => {
    expect(files('components').filter((f) => /wxt\/browser|\bbrowser\.[a-z]|\bchrome\.[a-z]/.test(code(f)))).toEqual([]);
  });

  it('names files in kebab-case', () => {
    const all = [...files('utils'), ...files('components'), ...files('entrypoints'), ...files('bridge'), ...files('test')];
    expect(all.filter((f) => !/^[a-z0-9][a-z0-9.-]*\.tsx?$/.test(f.split('/').pop()!))).toEqual([]);
  });

  it('keeps Node-only modules out of the extension code', () => {
    const extension = [...files('utils'), ...files('components'), ...files('entrypoints')].filter((f) => !f.startsWith('utils/cli/') && !/write-[a-z-]+\.ts$/.test(f));
    expect(extension.filter((f) => /from 'node:/.test(code(f)))).toEqual([]);
  });
});

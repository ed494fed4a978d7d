import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { ROOT } from './paths';

export interface PreviousRelease {
  version: string;
  /** What was built: the tag, or the commit when the clone has no tags. */
  source: string;
  chromeDir: string;
  firefoxDir: string;
}

const RECORD = JSON.parse(readFileSync(`${ROOT}test/e2e/previous-release.json`, 'utf8')) as { version: string; tag: string; commit: string };

const git = (...args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });

/**
 * Builds the previous release from this repository's history (its tag, else the commit recorded
 * in previous-release.json) with the current node_modules, once: the build is kept under
 * test/e2e/.scratch/ and reused while it exists.
 */
export function buildPreviousRelease(): PreviousRelease {
  const rev = [`${RECORD.tag}^{commit}`, `${RECORD.commit}^{commit}`].find((r) => git('rev-parse', '--verify', '--quiet', r).status === 0);
  if (!rev) {
    throw new Error(
      `The previous release ${RECORD.version} is not in this clone: neither tag ${RECORD.tag} nor commit ${RECORD.commit} exists. ` +
        'Fetch it (git fetch --tags, or git fetch --unshallow in a shallow clone) and run the test again.',
    );
  }
  const commit = git('rev-parse', rev).stdout.trim();
  const dir = `${ROOT}test/e2e/.scratch/release-${commit.slice(0, 12)}`;
  const chromeDir = `${dir}/.output/chrome-mv3`;
  const firefoxDir = `${dir}/.output/firefox-mv3`;
  const complete = () => existsSync(`${chromeDir}/manifest.json`) && existsSync(`${firefoxDir}/manifest.json`);
  if (!complete()) {
    // The Chromium and Firefox jobs of update.test.ts may build at the same time (run-lanes.ts):
    // each builds in a folder of its own and moves it into place; the second finds the first
    // one's complete build there and drops its own.
    const building = `${dir}.${process.pid}`;
    mkdirSync(building, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${building}"`], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    symlinkSync(`${ROOT}node_modules`, `${building}/node_modules`, 'dir');
    const env = { ...process.env, CTIPOP_OUTDIR: '.output' };
    for (const args of [['build'], ['build', '-b', 'firefox', '--mv3']]) {
      execFileSync(`${ROOT}node_modules/.bin/wxt`, args, { cwd: building, env, stdio: ['ignore', 'ignore', 'inherit'] });
    }
    if (complete()) rmSync(building, { recursive: true, force: true });
    else {
      rmSync(dir, { recursive: true, force: true });
      renameSync(building, dir);
    }
  }
  const version = (JSON.parse(readFileSync(`${chromeDir}/manifest.json`, 'utf8')) as { version: string }).version;
  return { version, source: rev.startsWith(RECORD.tag) ? RECORD.tag : commit, chromeDir, firefoxDir };
}

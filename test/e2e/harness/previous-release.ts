import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
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
  if (!existsSync(`${chromeDir}/manifest.json`) || !existsSync(`${firefoxDir}/manifest.json`)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C "${dir}"`], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    symlinkSync(`${ROOT}node_modules`, `${dir}/node_modules`, 'dir');
    const env = { ...process.env, CTIPOP_OUTDIR: '.output' };
    for (const args of [['build'], ['build', '-b', 'firefox', '--mv3']]) {
      execFileSync(`${ROOT}node_modules/.bin/wxt`, args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'inherit'] });
    }
  }
  const version = (JSON.parse(readFileSync(`${chromeDir}/manifest.json`, 'utf8')) as { version: string }).version;
  return { version, source: rev.startsWith(RECORD.tag) ? RECORD.tag : commit, chromeDir, firefoxDir };
}

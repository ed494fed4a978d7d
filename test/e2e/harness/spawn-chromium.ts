import { spawn, type ChildProcess } from 'node:child_process';
import { CHROME_DIR, CHROMIUM_FLAGS } from './paths';

/**
 * Chromium with the extension and NO DevTools connection of any kind: an attached debugger keeps
 * service workers alive, which would falsify every worker-lifetime measurement.
 */
export function spawnChromium(profile: string): { process: ChildProcess; close(): Promise<void> } {
  const child = spawn('/usr/bin/chromium', [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, `--disable-extensions-except=${CHROME_DIR}`, `--load-extension=${CHROME_DIR}`, 'about:blank'], { stdio: 'ignore' });
  return {
    process: child,
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

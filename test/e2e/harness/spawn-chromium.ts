import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import puppeteer from 'puppeteer-core';
import { assertInLane } from './lanes';
import { CHROME_DIR, CHROMIUM_FLAGS } from './paths';

/**
 * Chromium with the extension and no DevTools client attached: an attached debugger keeps service
 * workers alive, which would falsify every worker-lifetime measurement. The debugging port is
 * open but unused until `stopWorkers`, which connects for one command and leaves again.
 */
export function spawnChromium(profile: string): { process: ChildProcess; stopWorkers(): Promise<void>; close(): Promise<void> } {
  assertInLane('chromium');
  const child = spawn('/usr/bin/chromium', [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-port=0', `--disable-extensions-except=${CHROME_DIR}`, `--load-extension=${CHROME_DIR}`, 'about:blank'], { stdio: 'ignore', detached: true });
  return {
    process: child,
    /** What Chrome does to an idle worker, on demand: stop every service worker. */
    async stopWorkers() {
      const file = `${profile}/DevToolsActivePort`;
      if (!existsSync(file)) throw new Error('Chromium wrote no DevToolsActivePort');
      const [port, path] = readFileSync(file, 'utf8').trim().split('\n');
      const browser = await puppeteer.connect({ browserWSEndpoint: `ws://127.0.0.1:${port}${path}` });
      const page = (await browser.pages())[0] ?? (await browser.newPage());
      const session = await page.createCDPSession();
      await session.send('ServiceWorker.enable');
      await session.send('ServiceWorker.stopAllWorkers');
      await session.detach();
      await browser.disconnect();
    },
    /**
     * Stops Chromium and waits until every process of it is gone, not only the first: its helpers
     * still wrote to the profile after the browser process had exited (the profile's removal then
     * failed with ENOTEMPTY). Spawned as its own process group, so the group is what is waited for.
     */
    async close() {
      const group = -child.pid!;
      const alive = () => {
        try {
          process.kill(group, 0);
          return true;
        } catch {
          return false;
        }
      };
      if (alive()) process.kill(group, 'SIGTERM');
      const killAt = Date.now() + 5000;
      // A helper nobody reaps stays a zombie in the group; it writes nothing, so stop waiting then.
      const giveUpAt = killAt + 5000;
      while (alive() && Date.now() < giveUpAt) {
        if (Date.now() > killAt) process.kill(group, 'SIGKILL');
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

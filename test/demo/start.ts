/**
 * `npm start`: builds CTI Pop, starts the PBX simulator and the demo CRM, launches Chromium with
 * the extension (headless when there is no display), places demo calls and reports what happened,
 * with screenshots in test/demo/out/. With a display it stays open for you to place calls from
 * the simulator's page; without one it exits when the demo is done.
 */
import { execSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { Page } from 'puppeteer-core';
import { launchWithExtension, waitFor } from '../e2e/harness/launch';
import { peerSettings, startPeers } from '../e2e/harness/peers';
import { setViewport } from '../e2e/harness/viewport';

const OUT = new URL('./out/', import.meta.url).pathname;
const headless = !process.env.DISPLAY;

async function shot(page: Page, name: string) {
  await setViewport(page, { width: 420, height: 760 });
  await page.screenshot({ path: `${OUT}${name}.png` });
  console.log(`  screenshot: test/demo/out/${name}.png`);
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  console.log('Building the extension …');
  execSync('npx wxt build', { stdio: 'inherit' });
  const peers = await startPeers();
  console.log(`PBX simulator: ${peers.sim.url} (place calls from this page)\nDemo CRM:      ${peers.crm.url}`);
  const ext = await launchWithExtension('chromium');
  await ext.configure(
    peerSettings(peers, {
      cti: {
        inboundUrl: `${peers.crm.url}/cti/lookup?calleridnumber=%%calleridnumber%%&calleridnumber_e164=%%calleridnumber_e164%%&did=%%did%%`,
        postCallUrl: `${peers.crm.url}/postcall?src=%%src%%&dst=%%dst%%&disposition=%%disposition%%&billsec=%%billsec%%&accountcode=%%accountcode%%`,
      },
    }),
  );
  await waitFor('the extension to connect to the simulator', () => peers.sim.state().ws > 0);
  console.log('Extension connected to the simulator.');

  const panel = await ext.browser.newPage();
  await panel.goto(`${ext.origin}/sidepanel.html`);
  for (const scenario of ['inbound-answered', 'queue-ring-all', 'outbound']) {
    const before = peers.crm.log().requests.length;
    const started = Date.now();
    const played = peers.sim.play(scenario, { speed: 5 });
    if (!played.ok) throw new Error(played.error);
    console.log(`\nCall "${scenario}" placed.`);
    await new Promise((r) => setTimeout(r, played.value.durationMs / 5 + 1500));
    for (const r of peers.crm.log().requests.slice(before)) {
      console.log(`  +${String(r.at - started).padStart(5)} ms  CRM got ${r.kind.padEnd(8)} ${r.path}?${decodeURIComponent(r.rawQuery).slice(0, 110)}`);
    }
    if (scenario === 'inbound-answered') await shot(panel, 'sidepanel-after-call');
  }
  const popTab = (await ext.browser.pages()).find((p) => p.url().startsWith(peers.crm.url));
  if (popTab) await shot(popTab, 'pop-tab');
  const options = await ext.extensionPage();
  await setViewport(options, { width: 1000, height: 1200 });
  await options.screenshot({ path: `${OUT}options.png`, fullPage: true });
  console.log('  screenshot: test/demo/out/options.png');

  if (headless) {
    await ext.close();
    await peers.close();
    console.log('\nDemo done (headless: no display). Load .output/chrome-mv3 by hand to try it yourself; see README.');
    return;
  }
  console.log('\nChromium stays open. Place calls from the simulator page; Ctrl-C to stop.');
  process.on('SIGINT', async () => {
    await ext.close();
    await peers.close();
    process.exit(0);
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

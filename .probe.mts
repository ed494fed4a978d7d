import { launchWithExtension, waitFor } from './test/e2e/harness/launch';
import { grantHost } from './test/e2e/harness/host-access';
import { ringingCall, startBenchPeers, sleep } from './test/e2e/harness/bench-peers';
const kind = (process.env.CTIPOP_BROWSER ?? 'firefox') as 'firefox' | 'chromium';
const p = await startBenchPeers();
const ext = await launchWithExtension(kind, { autoGrantHosts: true });
const reuse = kind === 'firefox' && (await grantHost(ext, `http://127.0.0.1/*`));
await ext.configure({ connection: { kind: 'json-ws', url: p.sim.wsUrl, secret: p.sim.token, endpoints: ['PJSIP/100'] }, cti: { popupUrl: `${p.crm.url}/pop?n=%%calleridnumber%%` }, behaviour: { target: 'tab', reuseTab: true } });
await waitFor('connect', () => p.sim.state().ws > 0 || undefined, 30_000);
const gap = Number(process.env.GAP ?? 500);
const out: string[] = [];
for (let i = 0; i < Number(process.env.N ?? 20); i++) {
  const number = `+4930555${1000 + i}`;
  p.sim.play(ringingCall(`x${i}`, number), { speed: 1 });
  const pop = await p.request('pop', 'n', number).catch(() => undefined);
  const rang = p.ringAt(number)!;
  const page = await ext.extensionPage();
  const view = await page.evaluate(async () => { const g = globalThis as any; return (await (g.browser ?? g.chrome).storage.session.get('view')).view; });
  const card = [...(view?.calls ?? [])].find((c: any) => c.call.variables?.calleridnumber === number);
  const popAt = card?.pop?.at;
  out.push(`${i}: ring→pop ${pop ? (pop.at - rang).toFixed(1) : 'none'} ms; ring→decided ${popAt ? (popAt - rang).toFixed(1) : '?'} (${card?.pop?.state}, ${card?.pop?.detail})`);
  await sleep(gap);
}
console.log(`reuse=${reuse}\n` + out.join('\n'));
await ext.close(); await p.close();

import { startDemoCrm, type DemoCrm } from '../../sim/demo-crm';
import { startSimulator, type Simulator } from '../../sim/server';
import { loadAriPlugin } from '../../sim/ari-plugin';

export interface Peers {
  sim: Simulator;
  crm: DemoCrm;
  close(): Promise<void>;
}

/** The PBX simulator (JSON stream and ARI) and the demo CRM, on 127.0.0.1 with free ports. */
export async function startPeers(opts: { heartbeatMs?: number } = {}): Promise<Peers> {
  const crm = await startDemoCrm();
  const sim = await startSimulator({ heartbeatMs: opts.heartbeatMs ?? 15_000, plugin: await loadAriPlugin() });
  return {
    sim,
    crm,
    async close() {
      await Promise.all([sim.close(), crm.close()]);
    },
  };
}

/** Settings that point the extension at the peers: JSON over WebSocket, user PJSIP/100, pops in a tab. */
export function peerSettings(p: Peers, overrides: { connection?: object; cti?: object; behaviour?: object } = {}) {
  return {
    connection: { kind: 'json-ws', url: p.sim.wsUrl, secret: p.sim.token, endpoints: ['PJSIP/100'], ...overrides.connection },
    cti: { popupUrl: `${p.crm.url}/pop?name=%%calleridname%%&number=%%calleridnumber%%&e164=%%calleridnumber_e164%%`, ...overrides.cti },
    behaviour: { target: 'tab', ...overrides.behaviour },
  };
}

import { parseArgs } from 'node:util';
import { loadAriPlugin } from './ari-plugin';
import { startDemoCrm } from './demo-crm';
import { startSimulator } from './server';

/** `npx tsx test/sim/main.ts [--port N] [--crm-port N]`: the PBX simulator and the demo CRM for people. */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8765' },
    'crm-port': { type: 'string', default: '8766' },
    'crm-control-port': { type: 'string', default: '0' },
    token: { type: 'string', default: 'sim-token' },
    speed: { type: 'string', default: '1' },
    cdr: { type: 'boolean', default: false },
    heartbeat: { type: 'string', default: '15000' },
  },
});

const number = (name: string, v: string | undefined) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`--${name} must be a number ≥ 0, got "${v}"`);
    process.exit(2);
  }
  return n;
};

const plugin = await loadAriPlugin();
const sim = await startSimulator({
  port: number('port', values.port),
  token: values.token,
  speed: number('speed', values.speed) || 1,
  withCdr: values.cdr,
  heartbeatMs: number('heartbeat', values.heartbeat),
  plugin,
});
const crm = await startDemoCrm({ port: number('crm-port', values['crm-port']), controlPort: number('crm-control-port', values['crm-control-port']) });

console.log(`PBX simulator   ${sim.url}/  (scenario buttons and state)
  WebSocket     ${sim.wsUrl}  token "${sim.token}"
  SSE           ${sim.sseUrl}?users=PJSIP/100  (Authorization: Bearer ${sim.token})
  ARI           ${plugin ? `${sim.url}/ari/` : '(not mounted: test/sim/ari/emulator.ts missing)'}
Demo CRM        ${crm.url}
  lookup        ${crm.url}/cti/lookup?calleridnumber=%%calleridnumber%%
  pop           ${crm.url}/pop?number=%%calleridnumber%%&name=%%calleridname%%
  post-call     ${crm.url}/postcall?uniqueid=%%uniqueid%%&billsec=%%billsec%%
  control       ${crm.controlUrl}/control/log`);

const shutdown = async () => {
  await Promise.all([sim.close(), crm.close()]);
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());

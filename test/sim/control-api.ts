import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { readJson, sendJson } from './http-json';
import { parseScenario } from './scenario-files';
import type { Simulator } from './server';

const playBody = z.object({
  name: z.string().optional(),
  scenario: z.unknown().optional(),
  speed: z.number().positive().optional(),
  withCdr: z.boolean().optional(),
});
const msBody = z.object({ ms: z.number().int().min(0).max(600_000) });
const injectBody = z.object({ frames: z.array(z.string()).min(1), transport: z.enum(['ws', 'sse']).optional() });

/** The test control API under /control/: the same operations as the Simulator's methods, as JSON. */
export async function handleControl(sim: Simulator, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  if (path === '/control/state' && req.method === 'GET') return sendJson(res, 200, sim.state());
  if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: `${req.method} ${path} is not supported; control actions are POST, state is GET` });
  const body = await readJson(req);
  if (!body.ok) return sendJson(res, 400, body);
  const parse = <T>(schema: z.ZodType<T>): T | undefined => {
    const r = schema.safeParse(body.value);
    if (r.success) return r.data;
    sendJson(res, 400, { ok: false, error: r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
    return undefined;
  };
  switch (path) {
    case '/control/scenario': {
      const b = parse(playBody);
      if (!b) return;
      const source = b.scenario !== undefined ? parseScenario(b.scenario, 'inline scenario') : b.name !== undefined ? { ok: true as const, value: b.name } : { ok: false as const, error: 'give "name" (a file in test/sim/scenarios) or an inline "scenario"' };
      if (!source.ok) return sendJson(res, 400, source);
      const played = sim.play(source.value, { speed: b.speed, withCdr: b.withCdr });
      return played.ok ? sendJson(res, 200, { ok: true, callIds: played.value.callIds, durationMs: played.value.durationMs }) : sendJson(res, 400, played);
    }
    case '/control/kill':
      return sendJson(res, 200, { ok: true, killed: sim.kill() });
    case '/control/stop':
      sim.stop();
      return sendJson(res, 200, { ok: true, accepting: false });
    case '/control/start':
      sim.start();
      return sendJson(res, 200, { ok: true, accepting: true });
    case '/control/delay': {
      const b = parse(msBody);
      if (!b) return;
      sim.setDelay(b.ms);
      return sendJson(res, 200, { ok: true, delayMs: b.ms });
    }
    case '/control/heartbeat': {
      const b = parse(msBody);
      if (!b) return;
      sim.setHeartbeat(b.ms);
      return sendJson(res, 200, { ok: true, heartbeatMs: b.ms });
    }
    case '/control/inject': {
      const b = parse(injectBody);
      if (!b) return;
      return sendJson(res, 200, { ok: true, clients: sim.inject(b.frames, b.transport) });
    }
    default:
      return sendJson(res, 404, { ok: false, error: `no control action ${path}` });
  }
}

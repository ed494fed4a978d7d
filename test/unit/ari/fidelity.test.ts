import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { framesOf, scenarioFile, traceFrames } from './helpers';

type Frame = Record<string, unknown> & { type: string };

/** Field names per event type, with the field names of nested channel/bridge/caller objects (`channel.dialplan.exten`). */
function shapes(frames: unknown[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const walk = (v: unknown, prefix: string, into: Set<string>) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return;
    for (const [k, x] of Object.entries(v)) {
      // Channel snapshots look the same wherever they sit (channel, caller, peer, transferee …).
      const path = prefix === '' ? k : `${prefix}.${k}`;
      into.add(path);
      walk(x, path, into);
    }
  };
  for (const f of frames as Frame[]) {
    const set = out.get(f.type) ?? new Set<string>();
    walk(f, '', set);
    out.set(f.type, set);
  }
  return out;
}

const fields = JSON.parse(readFileSync(new URL('../../fixtures/ari/event-fields.json', import.meta.url), 'utf8')) as { events: Record<string, Record<string, boolean>> };
const eventFields = (type: string): Record<string, boolean> => fields.events[type] ?? {};

describe('simulator ARI frames against the real traces (structural fidelity)', () => {
  const real = [...traceFrames('a_inbound_answered_caller_hangup'), ...traceFrames('e_outbound_100_to_external')];
  const simulated = [...framesOf(scenarioFile('inbound-answered')), ...framesOf(scenarioFile('outbound'))].map((x) => x.frame);

  it('has the same event types for the same two calls', () => {
    expect([...shapes(simulated).keys()].sort()).toEqual([...shapes(real).keys()].sort());
  });

  it('has the same field names, nested ones included, per event type', () => {
    const a = shapes(real);
    const b = shapes(simulated);
    for (const [type, fields] of a) expect([...(b.get(type) ?? [])].sort(), type).toEqual([...fields].sort());
  });

  it('keeps the share of ChannelVarset frames of a real PBX (40–60 %)', () => {
    for (const frames of [real, simulated]) {
      const share = (frames as Frame[]).filter((f) => f.type === 'ChannelVarset').length / frames.length;
      expect(share).toBeGreaterThanOrEqual(0.4);
      expect(share).toBeLessThanOrEqual(0.7);
    }
  });

  it('writes timestamps, ids and channel names in Asterisk’s formats', () => {
    for (const f of simulated as Frame[]) {
      expect(f.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
      const c = f.channel as { id: string; name: string } | undefined;
      if (c) {
        expect(c.id).toMatch(/^\d{10}\.\d+$/);
        expect(c.name).toMatch(/^(PJSIP\/[\w]+-[0-9a-f]{8}|Local\/.+;[12])$/);
      }
    }
  });

  it('sends every field events.json requires, and none it does not know, for every event type of every scenario', () => {
    for (const name of ['queue-ring-all', 'ring-group', 'ivr-then-extension', 'blind-transfer', 'attended-transfer', 'inbound-no-answer', 'internal']) {
      for (const f of framesOf(scenarioFile(name)).map((x) => x.frame) as Frame[]) {
        const known = eventFields(f.type);
        const required = Object.entries(known).filter(([, req]) => req).map(([k]) => k);
        expect(Object.keys(known).length, f.type).toBeGreaterThan(2);
        for (const k of required) expect(f, `${f.type}.${k}`).toHaveProperty(k);
        for (const k of Object.keys(f)) expect(known, `${f.type} has unknown field ${k}`).toHaveProperty(k);
      }
    }
  });

  it('plays Dial status progression and the two hangup requests like the traces', () => {
    const dialStatuses = (frames: Frame[]) => frames.filter((f) => f.type === 'Dial').map((f) => f.dialstatus);
    const requests = (frames: Frame[]) => frames.filter((f) => f.type === 'ChannelHangupRequest').map((f) => (f.soft ? 'soft' : 'hard'));
    expect(dialStatuses(simulated as Frame[])).toEqual(dialStatuses(real as Frame[]));
    expect(requests(simulated as Frame[])).toEqual(requests(real as Frame[]));
  });
});

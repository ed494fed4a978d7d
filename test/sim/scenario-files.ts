import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenario, type Scenario } from './scenario';

export const SCENARIO_DIR = fileURLToPath(new URL('./scenarios/', import.meta.url));

import type { Result } from '../../utils/result';
export type { Result };

/** Names of the scenario files in test/sim/scenarios, sorted. */
export function listScenarioNames(): string[] {
  return readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

/** Reads and validates `scenarios/<name>.json`; defaults from the schema are filled in. */
export function loadScenario(name: string): Result<Scenario> {
  if (!/^[a-z0-9-]+$/.test(name)) return { ok: false, error: `scenario name "${name}" must be lower-case letters, digits and dashes` };
  let text: string;
  try {
    text = readFileSync(join(SCENARIO_DIR, `${name}.json`), 'utf8');
  } catch {
    return { ok: false, error: `no scenario "${name}"; known: ${listScenarioNames().join(', ')}` };
  }
  return parseScenario(text, `${name}.json`);
}

/** Validates scenario JSON text (from a file or a control request body). */
export function parseScenario(input: string | unknown, label = 'scenario'): Result<Scenario> {
  let data: unknown = input;
  if (typeof input === 'string') {
    try {
      data = JSON.parse(input);
    } catch (e) {
      return { ok: false, error: `${label} is not JSON: ${(e as Error).message}` };
    }
  }
  const parsed = scenario.safeParse(data);
  if (!parsed.success) return { ok: false, error: `${label} does not match the scenario format: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  return { ok: true, value: parsed.data };
}

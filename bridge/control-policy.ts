import type { BridgeConfig } from './config';

/** Why a route is refused, or undefined when the admin's allow-list permits it. */
export function routeRefusal(allow: BridgeConfig['control']['allow'], route: { type: string; name: string } | null): string | undefined {
  if (!route) return undefined;
  const rules = allow.filter((r) => r.type === route.type);
  if (!rules.length) return `route type "${route.type}" is not allowed by the bridge's control allow-list`;
  if (!rules.some((r) => r.targets.includes('*') || r.targets.includes(route.name))) return `route target ${route.type} "${route.name}" is not allowed by the bridge's control allow-list`;
  return undefined;
}

/** What an edge asks the ingest to apply (subject `ctipop.ctl.<pbx>`). */
export interface ControlRequest {
  user: string;
  endpoint: string;
  callId: string;
  set: Record<string, string>;
  route: { type: string; name: string } | null;
  break: boolean;
}

/** What an edge asks the ingest to dial (subject `ctipop.dial.<pbx>`): ring `endpoint`, then call `number`. */
export interface DialRequest {
  user: string;
  endpoint: string;
  /** Digits, or `+` and digits: already what the PBX dials (the extension normalised it). */
  number: string;
}

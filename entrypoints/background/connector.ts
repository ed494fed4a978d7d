import { browser } from 'wxt/browser';
import { createAriConnector } from '@/utils/connectors/ari-connector';
import type { Connector, ConnectorDeps } from '@/utils/connectors/connector';
import { createJsonConnector } from '@/utils/connectors/json-connector';
import type { Settings } from '@/utils/settings/schema';

export type { Connector, ConnectorDeps };

/** Changes every time the browser starts the worker anew: lets a server (and our tests) tell a reconnect from a restart. */
const WORKER_INSTANCE = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** Builds the connector the settings ask for; the connection manager owns its links. */
export function createConnector(settings: Settings, deps: ConnectorDeps): Connector {
  if (settings.connection.kind === 'ari') return createAriConnector(settings, deps);
  return createJsonConnector(settings, deps, { name: 'cti-pop', version: browser.runtime.getManifest().version, instance: WORKER_INSTANCE });
}

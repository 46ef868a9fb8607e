import type { FaultlineConfig } from '@faultline/config';

/** Injection tokens of the gateway module (interfaces have no runtime class to inject by). */
export const GATEWAY_SETTINGS = Symbol.for('faultline.gateway.settings');
export const REPORT_PUBLISHER = Symbol.for('faultline.gateway.publisher');
export const PROJECT_STORE = Symbol.for('faultline.gateway.projectStore');

export type GatewaySettings = FaultlineConfig['gateway'];

/** The gateway's endpoints, as metric labels. */
export type IngestEndpoint = 'envelope' | 'store' | 'native_events' | 'logs';

/** Route paths, shared by the controllers and the metric labelling of refusals. */
export const ROUTES = {
  envelope: 'api/:projectId/envelope',
  store: 'api/:projectId/store',
  native_events: 'api/v1/projects/:project/events',
  logs: 'api/v1/projects/:project/logs',
} as const satisfies Record<IngestEndpoint, string>;

const BY_PATH = new Map<string, IngestEndpoint>(
  (Object.entries(ROUTES) as Array<[IngestEndpoint, string]>).map(([endpoint, path]) => [`/${path}`, endpoint]),
);

/**
 * The endpoint label of a request from its matched route: null for routes that are not
 * ingestion (health, metrics), 'unknown' for requests no route matched.
 */
export function endpointOfRoute(routeUrl: string | undefined): IngestEndpoint | 'unknown' | null {
  if (!routeUrl) return 'unknown';
  return BY_PATH.get(routeUrl.replace(/\/+$/, '')) ?? null;
}

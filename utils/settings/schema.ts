import { z } from 'zod';
import { ROUTE_TYPES } from '../reply/reply-schema';
import { APPLICATION_TYPES } from '../templates/variables';
import { DEFAULT_ROUTE_RULES } from './route-rules';

// zod compiles validators with `new Function` unless told not to; MV3's CSP forbids that.
z.config({ jitless: true });

/**
 * The one definition of CTI Pop's settings: type, defaults, form labels (i18n keys derived from the
 * path), the managed-storage policy schema and the options form all come from here.
 * `meta.secret` fields live only in storage.local, are left out of exports and never shown.
 * `meta.template` fields are CTI URL templates (linted, previewed, permission-checked).
 * `meta.policyOnly` fields take their value from administrator policy only, never from the user.
 */
const template = (kind: 'call' | 'cdr') => z.string().max(4096).default('').meta({ template: kind });
const ms = (def: number, min: number, max: number) => z.number().int().min(min).max(max).default(def);

export const applicationRule = z.object({
  type: z.enum(APPLICATION_TYPES),
  /** Empty matches every application of the type. */
  name: z.string().max(128).default(''),
  direction: z.enum(['any', 'inbound', 'outbound', 'internal']).default('any'),
  /** Empty matches every DID. */
  did: z.string().max(64).default(''),
  url: template('call'),
});

/** A dialplan name part: letters, digits, `_ - . +`, and `{name}` where the route's name goes. */
const dialplanPart = z.string().min(1).max(80).regex(/^(?:[A-Za-z0-9_.+-]|\{name\})+$/);

/** One entry of the route allow-list: names of this route type matching `pattern` go to `context,exten`. */
export const routeRule = z.object({
  type: z.enum(ROUTE_TYPES),
  /** A regular expression the whole route name must match (anchored for you), e.g. `[0-9]{2,5}`. */
  pattern: z.string().min(1).max(256).default('[0-9]{2,5}').refine(compiles, { error: 'not a valid regular expression' }),
  context: dialplanPart.default('from-internal'),
  exten: dialplanPart.default('{name}'),
});

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

export const settingsSchema = z.object({
  connection: z.object({
    kind: z.enum(['json-ws', 'json-sse', 'ari']).default('json-ws'),
    url: z.string().max(2048).default(''),
    /** Bearer token (JSON stream) or `user:password` ARI key. */
    secret: z.string().max(4096).default('').meta({ secret: true }),
    /** Endpoints that are "me", e.g. PJSIP/100. */
    endpoints: z.array(z.string().min(1).max(128)).max(32).default([]),
    /** ARI: endpoints that are trunks to the outside world, e.g. PJSIP/pstn. */
    trunks: z.array(z.string().min(1).max(128)).max(32).default([]),
    /** Queues/groups whose calls concern me even before they ring my phone. */
    queues: z.array(z.string().min(1).max(128)).max(64).default([]),
    /** ARI: take calls the dialplan sends to Stasis and apply replies for real (needs a write-capable user). */
    control: z.boolean().default(false),
    ariApp: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).default('ctipop'),
  }).prefault({}),
  cti: z.object({
    popupUrl: template('call'),
    inboundUrl: template('call'),
    outboundUrl: template('call'),
    applicationRules: z.array(applicationRule).max(50).default([]),
    postCallUrl: template('cdr'),
  }).prefault({}),
  behaviour: z.object({
    target: z.enum(['sidepanel', 'tab', 'window']).default('sidepanel'),
    /** When the side panel is closed (browsers need a gesture to open it). */
    fallback: z.enum(['notification', 'tab', 'badge']).default('notification'),
    reuseTab: z.boolean().default(true),
    focus: z.boolean().default(true),
    popOn: z.enum(['ring', 'answer']).default('ring'),
    popInbound: z.boolean().default(true),
    popOutbound: z.boolean().default(false),
    popInternal: z.boolean().default(false),
    notifications: z.boolean().default(true),
    doNotDisturb: z.boolean().default(false),
  }).prefault({}),
  numbers: z.object({
    /** ISO 3166 alpha-2; national formats and E.164 are derived from it. */
    homeCountry: z.string().regex(/^[A-Z]{2}$/).default('DE'),
  }).prefault({}),
  advanced: z.object({
    lookupTimeoutMs: ms(2000, 100, 30_000),
    maxReplyBytes: z.number().int().min(1024).max(65_536).default(65_536),
    maxLookupsInFlight: z.number().int().min(1).max(16).default(4),
    postCallTimeoutMs: ms(10_000, 500, 120_000),
    historySize: z.number().int().min(10).max(2000).default(200),
    heartbeatTimeoutMs: ms(45_000, 5_000, 300_000),
    /** Send the browser's cookies for the CRM with CTI lookups (a CRM that authenticates by session). */
    lookupCookies: z.boolean().default(false),
  }).prefault({}),
  // Least privilege (issue 11): what a CTI reply may do to a real call, and how the PBX is reached.
  security: z.object({
    /** Where a reply's `<route>` may send a real call; a name no rule matches is refused and reported. */
    routes: z.array(routeRule).max(50).default(DEFAULT_ROUTE_RULES),
    /** ws:/http: to a PBX other than this computer: the ARI key or token would travel readable. Policy only. */
    allowPlainPbx: z.boolean().default(false).meta({ policyOnly: true }),
  }).prefault({}),
});

export type Settings = z.infer<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;
export type ApplicationRule = z.infer<typeof applicationRule>;
export type RouteRule = z.infer<typeof routeRule>;

export const DEFAULT_SETTINGS: Settings = settingsSchema.parse({});

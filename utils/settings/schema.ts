import { z } from 'zod';
import { APPLICATION_TYPES } from '../templates/variables';

// zod compiles validators with `new Function` unless told not to; MV3's CSP forbids that.
z.config({ jitless: true });

/**
 * The one definition of CTI Pop's settings: type, defaults, form labels (i18n keys derived from the
 * path), the managed-storage policy schema and the options form all come from here.
 * `meta.secret` fields live only in storage.local, are left out of exports and never shown.
 * `meta.template` fields are CTI URL templates (linted, previewed, permission-checked).
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
  /** Click-to-dial: the user's phone rings first, then the PBX dials the number (ARI originate or a `dial` frame). */
  dialling: z.object({
    /** Which of the user's endpoints rings; empty: the first of connection.endpoints. */
    phone: z.string().max(128).default(''),
    /** ARI: the dialplan context the number is dialled in once the phone answers. */
    context: z.string().regex(/^[A-Za-z0-9_.-]{1,80}$/).default('from-internal'),
    /** ARI: caller ID the user's phone shows while it rings; empty shows the number it will call. (\x escapes: Chrome reads policy patterns with RE2, which refuses \u.) */
    callerId: z.string().max(80).regex(/^[^\x00-\x1F\x7F]*$/).default(''),
    /** ARI: seconds the user's phone rings before the attempt is given up. */
    ringTimeoutS: z.number().int().min(5).max(120).default(30),
    /** Digits the PBX needs before every outside number (e.g. 0); empty for none. */
    outsidePrefix: z.string().regex(/^[0-9]{0,4}$/).default(''),
    /** Before a foreign number's country code; empty: the home country's (00, 011 …). */
    intlPrefix: z.string().regex(/^[0-9]{0,6}$/).default(''),
    /** Numbers of up to this many digits are internal extensions, dialled as they are. */
    internalDigits: z.number().int().min(0).max(10).default(6),
    /** `pbx`: national/international digits with the prefixes above; `e164`: +4930… as is. */
    sendAs: z.enum(['pbx', 'e164']).default('pbx'),
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
});

export type Settings = z.infer<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;
export type ApplicationRule = z.infer<typeof applicationRule>;

export const DEFAULT_SETTINGS: Settings = settingsSchema.parse({});

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { dialCommand } from './dial-command';
import { expandCommand } from './expand-command';
import { lookupCommand } from './lookup-command';
import { replayCommand } from './replay-command';
import { replyCommand } from './reply-command';
import { loadAllPhoneMetadata } from '../templates/all-phone-metadata';

loadAllPhoneMetadata();

const USAGE = `usage: ctipop <command>
  reply [FILE|-]                                   parse a CTI XML reply, print JSON
  expand TEMPLATE [--var name=value]… [--country DE]   fill a URL template
  lookup TEMPLATE [--var name=value]… [--timeout ms] [--country DE]   make the real request
  replay --connector json|ari --me ENDPOINT [--trunk ENDPOINT]… [FILE|-]   frames → call events
  dial NUMBER [--country DE] [--outside-prefix 0] [--intl-prefix 00] [--internal-digits 4] [--e164]
       [--connector ari --me PJSIP/100 --context C]   what the PBX dials, or the ARI originate request`;

/** Reads FILE, or standard input for `-` or no file. */
const input = (file: string | undefined): Buffer => readFileSync(file && file !== '-' ? file : 0);

function vars(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq < 1) throw new Error(`--var needs name=value, got "${item}"`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      var: { type: 'string', multiple: true },
      timeout: { type: 'string', default: '2000' },
      country: { type: 'string', default: 'DE' },
      connector: { type: 'string' },
      me: { type: 'string', multiple: true },
      trunk: { type: 'string', multiple: true },
      'outside-prefix': { type: 'string' },
      'intl-prefix': { type: 'string' },
      'internal-digits': { type: 'string' },
      e164: { type: 'boolean' },
      context: { type: 'string' },
    },
  });
  let result: { output: string; exitCode: 0 | 1 };
  switch (command) {
    case 'reply':
      result = replyCommand(new Uint8Array(input(positionals[0])));
      break;
    case 'expand':
      if (!positionals[0]) throw new Error('expand needs a TEMPLATE');
      result = expandCommand(positionals[0], vars(values.var), values.country);
      break;
    case 'lookup':
      if (!positionals[0]) throw new Error('lookup needs a TEMPLATE');
      result = await lookupCommand(positionals[0], vars(values.var), { timeoutMs: Number(values.timeout), country: values.country ?? 'DE' });
      break;
    case 'replay': {
      if (values.connector !== 'json' && values.connector !== 'ari') throw new Error('replay needs --connector json or --connector ari');
      if (!values.me?.length) throw new Error('replay needs --me ENDPOINT (e.g. PJSIP/100)');
      result = replayCommand(input(positionals[0]).toString('utf8').split('\n'), { connector: values.connector, me: values.me, trunks: values.trunk });
      break;
    }
    case 'dial': {
      if (positionals[0] === undefined) throw new Error('dial needs a NUMBER');
      if (values.connector !== undefined && values.connector !== 'ari') throw new Error('dial prints requests for --connector ari only');
      const digits = values['internal-digits'];
      if (digits !== undefined && !/^[0-9]{1,2}$/.test(digits)) throw new Error(`--internal-digits needs a number, got "${digits}"`);
      for (const [flag, value] of [['--outside-prefix', values['outside-prefix']], ['--intl-prefix', values['intl-prefix']]] as const) {
        if (value !== undefined && !/^[0-9]{0,6}$/.test(value)) throw new Error(`${flag} takes digits only, got "${value}"`);
      }
      result = dialCommand(positionals[0], {
        country: values.country ?? 'DE', outsidePrefix: values['outside-prefix'], intlPrefix: values['intl-prefix'],
        internalDigits: digits === undefined ? undefined : Number(digits), e164: values.e164, connector: values.connector, me: values.me?.[0], context: values.context,
      });
      break;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
  process.stdout.write(result.output);
  return result.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    process.stderr.write(`ctipop: ${error.message}\n${USAGE}\n`);
    process.exitCode = 2;
  },
);

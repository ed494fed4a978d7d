import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
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
  replay --connector json|ari --me ENDPOINT [--trunk ENDPOINT]… [FILE|-]   frames → call events`;

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

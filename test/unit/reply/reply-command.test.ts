import { describe, expect, it } from 'vitest';
import { replyCommand } from '../../../utils/cli/reply-command';

describe('replyCommand', () => {
  it('prints the usable reply as JSON and exits 0', () => {
    const { output, exitCode } = replyCommand('<ipbx><set><accountcode>A-1</accountcode><bogus/></set><type>ivr</type><name>main</name></ipbx>');
    expect(exitCode).toBe(0);
    expect(output.endsWith('}\n')).toBe(true);
    expect(JSON.parse(output)).toEqual({
      ok: true,
      set: { accountcode: 'A-1' },
      route: { type: 'ivr', name: 'main' },
      break: false,
      issues: [{ path: 'ipbx/set/bogus', message: expect.stringContaining('Unknown tag <bogus>') }],
    });
  });

  it('prints the error with line and column and exits 1', () => {
    const { output, exitCode } = replyCommand('<ipbx>\n  <set>\n</ipbx>');
    expect(exitCode).toBe(1);
    expect(JSON.parse(output)).toEqual({ ok: false, error: expect.stringContaining('</ipbx> does not match <set>'), line: 3, column: 1 });
  });

  it('leaves line and column out when there is no position', () => {
    const { output } = replyCommand(new Uint8Array(70_000));
    expect(Object.keys(JSON.parse(output))).toEqual(['ok', 'error']);
  });
});

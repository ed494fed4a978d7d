import { describe, expect, it } from 'vitest';
import { expandCommand } from '../../../utils/cli/expand-command';

describe('expandCommand', () => {
  it('prints the URL and exits 0', () => {
    expect(expandCommand('https://crm.example/?q=%%calleridnumber%%', { calleridnumber: '+49 30' })).toEqual({
      output: 'https://crm.example/?q=%2B49%2030\n',
      exitCode: 0,
    });
  });

  it('derives number formats when given a country', () => {
    const { output } = expandCommand('https://crm.example/?e=%%calleridnumber_e164%%', { calleridnumber: '030 123456' }, 'DE');
    expect(output).toBe('https://crm.example/?e=%2B4930123456\n');
  });

  it('knows CDR names too', () => {
    expect(expandCommand('https://crm.example/?b=%%billsec%%&n=%%calleridname%%', { billsec: '7', calleridname: 'A' }).output).toBe(
      'https://crm.example/?b=7&n=A\n',
    );
  });

  it('prints warnings after the URL and redacts secrets', () => {
    expect(expandCommand('https://crm.example/?t=%%nope%%&api_key=s3cret', {})).toEqual({
      output: 'https://crm.example/?t=%%nope%%&api_key=***\nwarning: Unknown variable %%nope%% was left as written.\n',
      exitCode: 0,
    });
  });

  it('prints the refusal reason and exits 1', () => {
    const { output, exitCode } = expandCommand('https://crm.example/c/%%exten%%', { exten: '..' });
    expect(exitCode).toBe(1);
    expect(output).toMatch(/^refused: The value of %%exten%% would make the path segment ".."/);
  });
});

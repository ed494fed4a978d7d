import { describe, expect, it } from 'vitest';
import { applyReply } from '../../../utils/reply/apply-reply';
import { parseReply } from '../../../utils/reply/parse-reply';
import type { Reply } from '../../../utils/reply/reply-schema';

const reply = (partial: Partial<Reply>): Reply => ({ set: {}, route: null, break: false, ...partial });

describe('applyReply', () => {
  it('sets variables, lists only real changes, and asks for every requested value', () => {
    const before = { calleridname: 'ACME', calleridnumber: '+4930123', accountcode: 'OLD' };
    const applied = applyReply(before, reply({ set: { calleridname: 'ACME', accountcode: 'NEW-1', record: 'no' } }));
    expect(applied.variables).toEqual({ calleridname: 'ACME', calleridnumber: '+4930123', accountcode: 'NEW-1', record: 'no' });
    expect(applied.changes).toEqual({ accountcode: { from: 'OLD', to: 'NEW-1' }, record: { from: '', to: 'no' } });
    expect(applied.actions.set).toEqual({ calleridname: 'ACME', accountcode: 'NEW-1', record: 'no' });
  });

  it('is pure: the input variables are not modified', () => {
    const before = { accountcode: 'OLD' };
    applyReply(before, reply({ set: { accountcode: 'NEW' } }));
    expect(before).toEqual({ accountcode: 'OLD' });
  });

  it('leaves a variable unchanged when the reply value is empty', () => {
    const applied = applyReply({ calleridname: 'Kept', record: 'yes' }, reply({ set: { calleridname: '' } }));
    expect(applied.variables).toEqual({ calleridname: 'Kept', record: 'yes' });
    expect(applied.changes).toEqual({});
    expect(applied.actions.set).toEqual({});
  });

  it('passes route and break through as actions, without touching variables', () => {
    const route = { type: 'queue' as const, name: 'support' };
    const applied = applyReply({ exten: '100' }, reply({ route, break: true }));
    expect(applied.actions).toEqual({ set: {}, route, break: true });
    expect(applied.variables).toEqual({ exten: '100' });
  });

  it('turns a reply record of 1 into the variable record=yes', () => {
    const parsed = parseReply('<ipbx><set><record>1</record></set></ipbx>');
    if (!parsed.ok) throw new Error(parsed.error);
    expect(applyReply({}, parsed.value).variables).toEqual({ record: 'yes' });
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replyCommand } from '../../../utils/cli/reply-command';

const dir = join(__dirname, '../../fixtures/replies');
const files = readdirSync(dir);
const replies = files.filter((f) => f.endsWith('.xml')).sort();

describe('reply fixtures (test/fixtures/replies: *.xml beside the exact CLI output *.expected.json)', () => {
  it('has an expected output for every reply and a reply for every expected output', () => {
    const expected = files.filter((f) => f.endsWith('.expected.json')).map((f) => f.replace(/\.expected\.json$/, '.xml'));
    expect(expected.sort()).toEqual(replies);
    expect(replies.length).toBeGreaterThan(60);
  });

  it.each(replies)('%s', (file) => {
    const bytes = new Uint8Array(readFileSync(join(dir, file)));
    const expected = readFileSync(join(dir, file.replace(/\.xml$/, '.expected.json')), 'utf8');
    const { output, exitCode } = replyCommand(bytes);
    expect(output).toBe(expected);
    expect(exitCode).toBe((JSON.parse(expected) as { ok: boolean }).ok ? 0 : 1);
  });
});

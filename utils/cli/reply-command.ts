import { parseReply } from '../reply/parse-reply';

/**
 * `ctipop reply`: parses a CTI XML reply as the extension would and prints the result as JSON
 * (two-space indented, one trailing newline), exit code 0 when the reply is usable, 1 when not:
 * `{"ok":true,"set":{…},"route":{"type":…,"name":…}|null,"break":…,"issues":[{"path","message"}]}`
 * or `{"ok":false,"error":"…","line":N,"column":N}` (line/column only when known).
 * Pass bytes (the file as read) so the encoding is checked the way the extension checks it.
 *
 * @example replyCommand('<ipbx/>') // → { output: '{\n  "ok": true,\n  "set": {},\n …', exitCode: 0 }
 */
export function replyCommand(input: string | Uint8Array): { output: string; exitCode: 0 | 1 } {
  const result = parseReply(input);
  const printed = result.ok
    ? { ok: true, set: result.value.set, route: result.value.route, break: result.value.break, issues: result.issues }
    : { ok: false, error: result.error, line: result.line, column: result.column };
  return { output: `${JSON.stringify(printed, null, 2)}\n`, exitCode: result.ok ? 0 : 1 };
}

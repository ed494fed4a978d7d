/**
 * XML 1.0 §2.8, production [23] XMLDecl, exactly: `<?xml`, `version`, then optional `encoding`
 * and `standalone` in that order, quotes paired, only the four XML space characters between.
 * fast-xml-parser skips a declaration without reading it, so a CRM that escapes its quotes twice
 * (`version=\"1.0\"`) or pads with a no-break space would otherwise pass (CTI.md §3: not
 * well-formed means refused).
 */
const S = '[ \\t\\r\\n]+';
const EQ = '[ \\t\\r\\n]*=[ \\t\\r\\n]*';
const quoted = (value: string) => `(?:"${value}"|'${value}')`;
const XML_DECLARATION = new RegExp(
  `^<\\?xml${S}version${EQ}${quoted('1\\.[0-9]+')}` +
    `(?:${S}encoding${EQ}${quoted('[A-Za-z][A-Za-z0-9._-]*')})?` +
    `(?:${S}standalone${EQ}${quoted('(?:yes|no)')})?[ \\t\\r\\n]*\\?>`,
);

/** Whether the markup at `lt` is an XML declaration (PI target `xml`, any case), not another PI. */
export function isXmlDeclaration(text: string, lt: number): boolean {
  return /^<\?xml(?![-._:A-Za-z0-9\u00B7\u00C0-\uFFFF])/i.test(text.slice(lt, lt + 7));
}

/**
 * Why the declaration at `lt` is not well-formed, with the offset to show, or `undefined` when it is.
 * @example declarationError('<?xml version=\\"1.0\\"?><ipbx/>', 0)?.error // '… backslashes …'
 */
export function declarationError(text: string, lt: number): { error: string; offset: number } | undefined {
  const head = text.slice(lt, lt + 512);
  if (XML_DECLARATION.test(head)) return undefined;
  const close = head.indexOf('?>');
  const declaration = close < 0 ? head : head.slice(0, close + 2);
  const odd = declaration.search(/[^\x21-\x7e \t\r\n]/);
  if (odd >= 0) {
    const code = declaration.codePointAt(odd) ?? 0;
    const name = code === 0xa0 ? 'a no-break space (U+00A0)' : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    return { error: `The XML declaration contains ${name}; only ordinary spaces, tabs and line breaks may separate its parts.`, offset: lt + odd };
  }
  const backslash = declaration.indexOf('\\');
  if (backslash >= 0) {
    return {
      error: 'The XML declaration has a backslash before a quote (version=\\"1.0\\"): its quotes were escaped twice. Send <?xml version="1.0" encoding="UTF-8"?>.',
      offset: lt + backslash,
    };
  }
  if (close < 0) return { error: 'The XML declaration is never closed (missing ?>).', offset: lt };
  return {
    error: 'The XML declaration is not well-formed: it reads <?xml version="1.0"?>, optionally with encoding="…" and standalone="yes|no" after version, in that order, lower case, quotes paired.',
    offset: lt,
  };
}

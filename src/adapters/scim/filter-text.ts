/**
 * A SCIM filter's text, bounded and parsed (RFC 7644 §3.4.2.2). scim2-parse-filter builds the AST,
 * but reads string literals wrongly: it keeps `\\` as two backslashes and `\u0041` as six
 * characters, whereas the RFC's compValue is a JSON string. So each literal is decoded here with
 * JSON.parse and handed to the library as a placeholder, then put back into the AST.
 */
import { parse, type Filter } from 'scim2-parse-filter';
import { ScimError } from './scim-error';

/**
 * Okta's and Entra's filters are one or two comparisons; a client that looks up a batch of ids
 * ORs up to 1,024. Each comparison is one bound SQL parameter, each level one SQL nesting level.
 */
export const filterLimits = { length: 65_536, depth: 32, comparisons: 1024 } as const;

export interface ParsedFilter {
  ast: Filter;
  /** The filter with every string literal replaced by its placeholder, for the library's tokenizer. */
  text: string;
}

/** Parses `filter`; `invalid(reason)` makes the error (invalidFilter for lists, invalidPath for PATCH). */
export function parseFilterText(filter: string, invalid: (reason: string) => ScimError): ParsedFilter {
  if (filter.length > filterLimits.length) {
    throw invalid(`it is longer than ${filterLimits.length} characters`);
  }
  // RFC 7644 filters separate terms with spaces only. Rejecting control characters also protects
  // the library's string-literal regex, which backtracks exponentially on line breaks.
  if (/[\u0000-\u001f\u007f]/.test(filter)) throw invalid('it contains a line break or control character');
  const { text, literals } = withPlaceholders(filter, invalid);
  assertShallow(text, invalid);
  let ast: Filter;
  try {
    ast = parse(text);
  } catch (err) {
    throw invalid(`it is not valid SCIM filter syntax (${err instanceof Error ? err.message : String(err)})`);
  }
  let comparisons = 0;
  const restore = (node: Filter): Filter => {
    switch (node.op) {
      case 'and':
      case 'or':
        return { ...node, filters: node.filters.map(restore) };
      case 'not':
        return { ...node, filter: restore(node.filter) };
      case '[]':
        return { ...node, valFilter: restore(node.valFilter) };
      case 'pr':
        comparisons++;
        return node;
      default: {
        comparisons++;
        const value = node.compValue;
        const index = typeof value === 'string' ? placeholderIndex(value) : undefined;
        return index === undefined ? node : { ...node, compValue: literals[index] };
      }
    }
  };
  const restored = restore(ast);
  if (comparisons > filterLimits.comparisons) {
    throw invalid(`it has more than ${filterLimits.comparisons} comparisons`);
  }
  return { ast: restored, text };
}

/** Every `"…"` literal decoded as JSON and replaced by `"sN"`, which holds no backslash or quote. */
function withPlaceholders(
  filter: string,
  invalid: (reason: string) => ScimError,
): { text: string; literals: string[] } {
  const literals: string[] = [];
  let text = '';
  let i = 0;
  while (i < filter.length) {
    const open = filter.indexOf('"', i);
    if (open === -1) {
      text += filter.slice(i);
      break;
    }
    let close = open + 1;
    while (close < filter.length && filter[close] !== '"') close += filter[close] === '\\' ? 2 : 1;
    if (close >= filter.length) throw invalid('a string is not closed with "');
    const literal = filter.slice(open, close + 1);
    let decoded: unknown;
    try {
      decoded = JSON.parse(literal);
    } catch {
      throw invalid(`${literal.slice(0, 80)} is not a JSON string (escape a backslash as \\\\)`);
    }
    text += `${filter.slice(i, open)}"s${literals.length}"`;
    literals.push(decoded as string);
    i = close + 1;
  }
  return { text, literals };
}

function placeholderIndex(value: string): number | undefined {
  const match = /^s(\d+)$/.exec(value);
  return match ? Number(match[1]) : undefined;
}

/** Brackets, parentheses and `not`s nest no deeper than the limit: each is a recursion and an SQL level. */
function assertShallow(text: string, invalid: (reason: string) => ScimError): void {
  let depth = 0;
  let deepest = 0;
  for (const c of text) {
    if (c === '(' || c === '[') deepest = Math.max(deepest, ++depth);
    else if (c === ')' || c === ']') depth--;
  }
  const nots = text.match(/(^|[\s(])not[\s(]/gi)?.length ?? 0;
  if (deepest + nots > filterLimits.depth) {
    throw invalid(`it nests deeper than ${filterLimits.depth} levels`);
  }
}

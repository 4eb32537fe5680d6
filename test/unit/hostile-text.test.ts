import { nestsDeeperThan } from '../../src/adapters/http/json-body';
import { xmlRefusal } from '../../src/adapters/saml/xml';
import { parseUserFilter } from '../../src/adapters/scim/filter';
import { ScimError } from '../../src/adapters/scim/scim-error';
import { characterCount, foldCase, normalizeCaseInsensitive } from '../../src/domain/text';
import { DomainError } from '../../src/domain/errors';
import { assertValidDraft, type UserDraft } from '../../src/domain/users/user';

describe('foldCase: case-insensitive without folding look-alikes', () => {
  it.each([
    ['Kate@Example.TEST', 'kate@example.test'],
    ['ÄÖÜ Σ', 'äöü σ'],
    ['\u212Aate', '\u212Aate'], // KELVIN SIGN stays itself
    ['\u212Bngström', '\u212Bngström'], // ANGSTROM SIGN too
    ['\u0130stanbul', '\u0130stanbul'], // İ would lowercase to i + combining dot
    ['ẞ', 'ẞ'],
  ])('%s → %s', (input, folded) => {
    expect(foldCase(input)).toBe(folded);
  });

  it('normalizeCaseInsensitive trims as well', () => {
    expect(normalizeCaseInsensitive('  Ops\t')).toBe('ops');
  });

  it('counts characters as the databases do, not UTF-16 units', () => {
    expect(characterCount('\u{1F600}'.repeat(3))).toBe(3);
    expect(characterCount('abc')).toBe(3);
  });
});

describe('the domain bounds every string of a user, after normalisation', () => {
  const draft = (extra: Partial<UserDraft>): UserDraft => ({
    userName: 'u@example.test',
    externalId: null,
    active: true,
    displayName: null,
    givenName: null,
    familyName: null,
    employeeNumber: null,
    managerId: null,
    emails: [],
    profile: {},
    ...extra,
  });
  const code = (extra: Partial<UserDraft>) => {
    try {
      assertValidDraft(draft(extra));
      return 'accepted';
    } catch (err) {
      return err instanceof DomainError ? err.code : 'other';
    }
  };

  it.each([
    [{ userName: 'u'.repeat(256) }, 'user.value_too_long'],
    [{ userName: '\u{1F600}'.repeat(255) }, 'accepted'],
    [{ emails: [{ value: 'a@b', type: 't'.repeat(65), primary: true }] }, 'user.value_too_long'],
    [{ profile: { title: 't'.repeat(1025) } }, 'user.value_too_long'],
    [{ profile: { addresses: [{ formatted: 'f'.repeat(1025) }] } }, 'user.value_too_long'],
    [{ profile: { x509Certificates: [{ value: 'c'.repeat(4000) }] } }, 'accepted'],
    [
      { profile: { phoneNumbers: Array.from({ length: 101 }, () => ({ value: '1' })) } },
      'user.too_many_values',
    ],
    [{ displayName: 'a\ud800b' }, 'user.invalid_text'],
  ] as [Partial<UserDraft>, string][])('%j → %s', (extra, expected) => {
    expect(code(extra)).toBe(expected);
  });
});

describe('JSON depth is read from the bytes, before parsing', () => {
  const bytes = (text: string) => Buffer.from(text, 'utf8');
  it.each([
    ['[[[1]]]', 3, false],
    ['[[[[1]]]]', 3, true],
    ['{"a":{"b":[1]}}', 3, false],
    ['{"a":"[[[[[[[[[[","b":"\\"[[[["}', 1, false], // brackets inside strings, and an escaped quote
    ['['.repeat(50_000) + ']'.repeat(50_000), 32, true],
  ])('%s deeper than %i: %s', (text, limit, deeper) => {
    expect(nestsDeeperThan(bytes(text), limit)).toBe(deeper);
  });
});

describe('XML is refused by its text before any parser sees it', () => {
  it('a DOCTYPE', () => {
    expect(xmlRefusal('<!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>')).toMatch(/DOCTYPE/);
  });
  it('nesting past the limit, but not comments, CDATA, attributes with ">" or self-closing tags', () => {
    expect(xmlRefusal('<a>'.repeat(51) + '</a>'.repeat(51))).toMatch(/deeper than 50/);
    const fine =
      '<?xml version="1.0"?><!-- <a><a><a> --><r x="a>b">' +
      '<e/>'.repeat(100) +
      '<![CDATA[<a><a><a>]]>' +
      '<a>'.repeat(40) +
      '</a>'.repeat(40) +
      '</r>';
    expect(xmlRefusal(fine)).toBeNull();
  });
});

describe('filter literals', () => {
  const compValue = (filter: string) => {
    const cond = parseUserFilter(filter);
    return cond.kind === 'compare' ? cond.value : undefined;
  };
  it.each([
    ['userName eq "ACME\\\\jdoe"', 'ACME\\jdoe'],
    ['userName eq "\\u0041b"', 'Ab'],
    ['userName eq "say \\"hi\\""', 'say "hi"'],
    ['userName eq "a b"', 'a b'],
  ])('%s compares with %j', (filter, value) => {
    expect(compValue(filter)).toBe(value);
  });

  it.each([
    ['an invalid escape', 'userName eq "ACME\\jdoe"'],
    ['an unclosed string', 'userName eq "unclosed'],
    ['70,000 characters', `userName eq "${'x'.repeat(70_000)}"`],
    ['40 parentheses deep', '('.repeat(40) + 'userName pr' + ')'.repeat(40)],
  ])('%s is an invalidFilter', (_what, filter) => {
    expect(() => parseUserFilter(filter)).toThrow(ScimError);
  });
});

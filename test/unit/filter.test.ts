import {
  groupFilterAttributes,
  parseGroupFilter,
  parseUserFilter,
  userFilterAttributes,
} from '../../src/adapters/scim/filter';
import { ScimError } from '../../src/adapters/scim/scim-error';

function invalidFilterError(run: () => unknown): ScimError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ScimError);
    const error = err as ScimError;
    expect(error.status).toBe(400);
    expect(error.scimType).toBe('invalidFilter');
    return error;
  }
  throw new Error('expected an invalidFilter error');
}

describe('parseUserFilter', () => {
  it('maps a simple comparison and keeps the value as written', () => {
    expect(parseUserFilter('userName eq "Jordan@Example.com"')).toEqual({
      kind: 'compare',
      field: 'userName',
      op: 'eq',
      value: 'Jordan@Example.com',
    });
  });

  it('matches attribute names and operators case-insensitively, with or without the schema URN', () => {
    const expected = { kind: 'compare', field: 'userName', op: 'eq', value: 'x' };
    expect(parseUserFilter('USERNAME EQ "x"')).toEqual(expected);
    expect(parseUserFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"')).toEqual(expected);
    expect(parseUserFilter('URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:username eq "x"')).toEqual(expected);
  });

  it.each([
    ['id', 'id'],
    ['externalId', 'externalId'],
    ['displayName', 'displayName'],
    ['name.givenName', 'givenName'],
    ['name.familyName', 'familyName'],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber', 'employeeNumber'],
    ['manager', 'managerId'],
    ['manager.value', 'managerId'],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', 'managerId'],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value', 'managerId'],
  ])('maps %s to the field %s', (attr, field) => {
    expect(parseUserFilter(`${attr} eq "abc"`)).toEqual({ kind: 'compare', field, op: 'eq', value: 'abc' });
  });

  it('maps pr to present', () => {
    expect(parseUserFilter('name.familyName pr')).toEqual({ kind: 'present', field: 'familyName' });
  });

  it('stringifies numbers compared with string attributes', () => {
    expect(parseUserFilter('externalId eq 12345')).toEqual({
      kind: 'compare',
      field: 'externalId',
      op: 'eq',
      value: '12345',
    });
  });

  it.each([
    ['active eq true', true],
    ['active eq false', false],
    ['active eq "True"', true],
    ['active eq "FALSE"', false],
  ])('types booleans: %s', (filter, value) => {
    expect(parseUserFilter(filter)).toEqual({ kind: 'compare', field: 'active', op: 'eq', value });
  });

  it.each([
    ['2024-01-31T12:00:00Z', Date.UTC(2024, 0, 31, 12)],
    ['2024-01-31T12:00:00', Date.UTC(2024, 0, 31, 12)],
    ['2024-01-31T12:00:00.1234567Z', Date.UTC(2024, 0, 31, 12, 0, 0, 123)],
    ['2024-01-31T14:30:00+02:30', Date.UTC(2024, 0, 31, 12)],
    ['2024-01-31T07:00:00-05:00', Date.UTC(2024, 0, 31, 12)],
  ])('turns the date-time %s into epoch milliseconds', (text, millis) => {
    expect(parseUserFilter(`meta.lastModified gt "${text}"`)).toEqual({
      kind: 'compare',
      field: 'lastModified',
      op: 'gt',
      value: millis,
    });
  });

  it('maps emails sub-attributes to a some-condition on the emails collection', () => {
    expect(parseUserFilter('emails.type eq "work"')).toEqual({
      kind: 'some',
      collection: 'emails',
      where: { kind: 'compare', field: 'type', op: 'eq', value: 'work' },
    });
    expect(parseUserFilter('emails eq "a@b.c"')).toEqual({
      kind: 'some',
      collection: 'emails',
      where: { kind: 'compare', field: 'value', op: 'eq', value: 'a@b.c' },
    });
    expect(parseUserFilter('emails.primary eq "true"')).toEqual({
      kind: 'some',
      collection: 'emails',
      where: { kind: 'compare', field: 'primary', op: 'eq', value: true },
    });
  });

  it('maps a value path to one some-condition', () => {
    expect(parseUserFilter('emails[type eq "work" and value co "acme"]')).toEqual({
      kind: 'some',
      collection: 'emails',
      where: {
        kind: 'and',
        left: { kind: 'compare', field: 'type', op: 'eq', value: 'work' },
        right: { kind: 'compare', field: 'value', op: 'co', value: 'acme' },
      },
    });
    expect(parseUserFilter('emails[type eq "work"]')).toEqual({
      kind: 'some',
      collection: 'emails',
      where: { kind: 'compare', field: 'type', op: 'eq', value: 'work' },
    });
  });

  it('puts a sub-attribute after a value path into the same element', () => {
    expect(parseUserFilter('emails[type eq "work"].value eq "x@y"')).toEqual({
      kind: 'some',
      collection: 'emails',
      where: {
        kind: 'and',
        left: { kind: 'compare', field: 'type', op: 'eq', value: 'work' },
        right: { kind: 'compare', field: 'value', op: 'eq', value: 'x@y' },
      },
    });
  });

  it('keeps an explicit "and" across two email conditions as two separate elements', () => {
    expect(parseUserFilter('emails[type eq "work"] and emails.value eq "x@y"')).toEqual({
      kind: 'and',
      left: {
        kind: 'some',
        collection: 'emails',
        where: { kind: 'compare', field: 'type', op: 'eq', value: 'work' },
      },
      right: {
        kind: 'some',
        collection: 'emails',
        where: { kind: 'compare', field: 'value', op: 'eq', value: 'x@y' },
      },
    });
  });

  it('handles a sub-attribute value path inside a larger filter', () => {
    const cond = parseUserFilter('active eq true and emails[type eq "work"].value pr or userName sw "a"');
    expect(cond).toEqual({
      kind: 'or',
      left: {
        kind: 'and',
        left: { kind: 'compare', field: 'active', op: 'eq', value: true },
        right: {
          kind: 'some',
          collection: 'emails',
          where: {
            kind: 'and',
            left: { kind: 'compare', field: 'type', op: 'eq', value: 'work' },
            right: { kind: 'present', field: 'value' },
          },
        },
      },
      right: { kind: 'compare', field: 'userName', op: 'sw', value: 'a' },
    });
  });

  it('maps groups to the groups collection', () => {
    expect(parseUserFilter('groups.display eq "Admins"')).toEqual({
      kind: 'some',
      collection: 'groups',
      where: { kind: 'compare', field: 'display', op: 'eq', value: 'Admins' },
    });
    expect(parseUserFilter('groups eq "g-1"')).toEqual({
      kind: 'some',
      collection: 'groups',
      where: { kind: 'compare', field: 'value', op: 'eq', value: 'g-1' },
    });
  });

  it('maps not, and binds "and" tighter than "or"', () => {
    expect(parseUserFilter('not (userName eq "a" or userName eq "b") and active eq true')).toEqual({
      kind: 'and',
      left: {
        kind: 'not',
        inner: {
          kind: 'or',
          left: { kind: 'compare', field: 'userName', op: 'eq', value: 'a' },
          right: { kind: 'compare', field: 'userName', op: 'eq', value: 'b' },
        },
      },
      right: { kind: 'compare', field: 'active', op: 'eq', value: true },
    });
  });

  it('folds long "or" lists into a balanced tree', () => {
    const filter = Array.from({ length: 1024 }, (_, i) => `userName eq "u${i}"`).join(' or ');
    let depth = 0;
    let cond = parseUserFilter(filter);
    while (cond.kind === 'or') {
      depth += 1;
      cond = cond.left;
    }
    expect(depth).toBe(10);
  });

  describe('rejects with invalidFilter', () => {
    it('an unsupported attribute, naming it and the supported ones', () => {
      const error = invalidFilterError(() => parseUserFilter('shoeSize eq "x"'));
      expect(error.message).toContain('Filtering on "shoeSize" is not supported');
      expect(error.message).toContain('filterable attributes are: ');
      expect(error.message).toContain('userName');
    });

    it('an unsupported sub-attribute inside a value path', () => {
      const error = invalidFilterError(() => parseUserFilter('emails[shade eq "x"]'));
      expect(error.message).toContain('"emails.shade"');
    });

    it('a value path on a single-valued attribute', () => {
      invalidFilterError(() => parseUserFilter('name[givenName eq "x"]'));
    });

    it.each(['userName eq', 'userName eq "x" and', '(userName eq "x"', 'userName zz "x"', 'active eq True'])(
      'bad syntax: %s',
      (filter) => {
        const error = invalidFilterError(() => parseUserFilter(filter));
        expect(error.message).toContain(`"${filter}"`);
      },
    );

    it.each(['', '   '])('an empty filter %j', (filter) => {
      invalidFilterError(() => parseUserFilter(filter));
    });

    it.each(['yesterday', '2024-02-30T00:00:00Z', '2024-01-31', '2024-01-31T25:00:00Z'])(
      'a bad date-time %s',
      (text) => {
        invalidFilterError(() => parseUserFilter(`meta.created gt "${text}"`));
      },
    );

    it('a number for a date-time', () => {
      invalidFilterError(() => parseUserFilter('meta.created gt 1700000000000'));
    });

    it.each(['active gt true', 'active le false', 'active co "t"', 'meta.created sw "2024"'])(
      'an operator the type does not support: %s',
      (filter) => {
        invalidFilterError(() => parseUserFilter(filter));
      },
    );

    it.each(['active eq "yes"', 'active eq 1', 'userName eq true', 'userName eq null'])(
      'a value of the wrong type: %s',
      (filter) => {
        invalidFilterError(() => parseUserFilter(filter));
      },
    );

    it('a line break, quickly (the library regex backtracks exponentially on them)', () => {
      const started = Date.now();
      invalidFilterError(() => parseUserFilter(`userName eq "${'\n'.repeat(40)}`));
      expect(Date.now() - started).toBeLessThan(1000);
    });
  });

  it('lists the filterable attributes', () => {
    expect(userFilterAttributes).toEqual(
      expect.arrayContaining([
        'userName',
        'name.givenName',
        'meta.lastModified',
        'emails.value',
        'emails.type',
        'emails.primary',
        'groups.display',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
      ]),
    );
    expect(groupFilterAttributes).toEqual([
      'id',
      'externalId',
      'displayName',
      'members.value',
      'members.display',
      'meta.created',
      'meta.lastModified',
    ]);
  });
});

describe('parseGroupFilter', () => {
  it('maps group attributes', () => {
    expect(parseGroupFilter('displayName eq "Admins"')).toEqual({
      kind: 'compare',
      field: 'displayName',
      op: 'eq',
      value: 'Admins',
    });
    expect(
      parseGroupFilter('urn:ietf:params:scim:schemas:core:2.0:Group:meta.created ge "2024-01-01T00:00:00Z"'),
    ).toEqual({ kind: 'compare', field: 'created', op: 'ge', value: Date.UTC(2024, 0, 1) });
  });

  it('maps members to the members collection', () => {
    expect(parseGroupFilter('members.value eq "u-1"')).toEqual({
      kind: 'some',
      collection: 'members',
      where: { kind: 'compare', field: 'value', op: 'eq', value: 'u-1' },
    });
    expect(parseGroupFilter('members[display sw "jordan"]')).toEqual({
      kind: 'some',
      collection: 'members',
      where: { kind: 'compare', field: 'display', op: 'sw', value: 'jordan' },
    });
  });

  it('rejects user attributes', () => {
    const error = invalidFilterError(() => parseGroupFilter('userName eq "x"'));
    expect(error.message).toContain('"userName"');
    expect(error.message).not.toContain('emails');
  });
});

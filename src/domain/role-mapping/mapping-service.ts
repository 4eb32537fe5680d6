import type { Catalogue, RoleKey } from '../access/catalogue';
import type { RuleBook } from '../access/rule-book';
import type { RoleRecomputer } from '../access/role-recompute';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import { assertText, normalizeCaseInsensitive, textLimits } from '../text';
import type { Clock, GroupMatchKind, IdGenerator, RoleMapping, UnitOfWork } from '../ports';

export interface NewMapping {
  matchKind: GroupMatchKind;
  matchValue: string;
  roleKey: RoleKey;
}

const matchKinds: readonly GroupMatchKind[] = ['id', 'externalId', 'displayName'];

/**
 * Maps IdP groups to roles. The owner role is never mapped (roles.md rule 4: ownership moves
 * only by transfer), and every mapping change recomputes its members' roles in the same transaction.
 */
export class MappingService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly catalogue: Catalogue,
    private readonly roles: RoleRecomputer,
    private readonly rules: RuleBook,
  ) {}

  async list(actor: Actor): Promise<RoleMapping[]> {
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'users.view');
      return tx.roles.listMappings(actor.accountId);
    });
  }

  async get(actor: Actor, mappingId: string): Promise<RoleMapping> {
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'users.view');
      const mapping = await tx.roles.getMapping(actor.accountId, mappingId);
      if (!mapping) throw DomainError.notFound('mapping.not_found', `Mapping ${mappingId} not found`);
      return mapping;
    });
  }

  async add(actor: Actor, input: NewMapping): Promise<RoleMapping> {
    this.assertValid(input);
    return this.uow.write(actor.accountId, async (tx) => {
      await this.rules.assert(tx, actor, 'mappings.edit');
      const mapping: RoleMapping = {
        id: this.ids.newId(),
        accountId: actor.accountId,
        matchKind: input.matchKind,
        matchValue: input.matchValue.trim(),
        roleKey: input.roleKey,
        created: this.clock.now(),
      };
      await tx.roles.insertMapping(mapping);
      await recordAudit(tx, actor, this.clock, {
        action: 'mapping.created',
        subjectType: 'mapping',
        subjectId: mapping.id,
        before: null,
        after: { group: `${mapping.matchKind}:${mapping.matchValue}`, role: mapping.roleKey },
      });
      await this.roles.recompute(tx, actor, await tx.roles.membersMatching(actor.accountId, mapping));
      return mapping;
    });
  }

  /** Points an existing mapping at another role; its members' roles follow in the same transaction. */
  async changeRole(actor: Actor, mappingId: string, roleKey: RoleKey): Promise<RoleMapping> {
    return this.uow.write(actor.accountId, async (tx) => {
      await this.rules.assert(tx, actor, 'mappings.edit');
      const mapping = await tx.roles.getMapping(actor.accountId, mappingId);
      if (!mapping) throw DomainError.notFound('mapping.not_found', `Mapping ${mappingId} not found`);
      this.assertValid({ ...mapping, roleKey });
      if (mapping.roleKey === roleKey) return mapping;
      await tx.roles.setMappingRole(actor.accountId, mapping.id, roleKey);
      await recordAudit(tx, actor, this.clock, {
        action: 'mapping.changed',
        subjectType: 'mapping',
        subjectId: mapping.id,
        before: { group: `${mapping.matchKind}:${mapping.matchValue}`, role: mapping.roleKey },
        after: { group: `${mapping.matchKind}:${mapping.matchValue}`, role: roleKey },
      });
      await this.roles.recompute(tx, actor, await tx.roles.membersMatching(actor.accountId, mapping));
      return { ...mapping, roleKey };
    });
  }

  async remove(actor: Actor, mappingId: string): Promise<void> {
    await this.uow.write(actor.accountId, async (tx) => {
      await this.rules.assert(tx, actor, 'mappings.edit');
      const mapping = await tx.roles.getMapping(actor.accountId, mappingId);
      if (!mapping) throw DomainError.notFound('mapping.not_found', `Mapping ${mappingId} not found`);
      const members = await tx.roles.membersMatching(actor.accountId, mapping);
      await tx.roles.deleteMapping(actor.accountId, mapping.id);
      await recordAudit(tx, actor, this.clock, {
        action: 'mapping.deleted',
        subjectType: 'mapping',
        subjectId: mapping.id,
        before: { group: `${mapping.matchKind}:${mapping.matchValue}`, role: mapping.roleKey },
        after: null,
      });
      await this.roles.recompute(tx, actor, members);
    });
  }

  private assertValid(input: NewMapping): void {
    if (!matchKinds.includes(input.matchKind)) {
      throw DomainError.invalid(
        'mapping.match_kind_unknown',
        `A group is matched by ${matchKinds.join(', ')}`,
      );
    }
    if (!input.matchValue.trim()) {
      throw DomainError.invalid('mapping.group_required', 'Name the IdP group to map');
    }
    // Stored in VARCHAR(255), displayName case-folded (the form groups are matched by).
    const folded = input.matchKind === 'displayName' ? normalizeCaseInsensitive : undefined;
    assertText('mapping', 'group.value', input.matchValue.trim(), textLimits.name, folded);
    if (!this.catalogue.hasRole(input.roleKey)) {
      const known = this.catalogue.roles.map((r) => r.key).join(', ');
      throw DomainError.invalid('mapping.role_unknown', `Unknown role "${input.roleKey}"; roles: ${known}`);
    }
    if (input.roleKey === this.catalogue.ownerRole.key) {
      throw DomainError.invalid(
        'mapping.owner_role_refused',
        'No group can grant the Owner role: ownership moves only by transfer',
      );
    }
  }
}

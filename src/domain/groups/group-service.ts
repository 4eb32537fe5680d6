import type { RoleRecomputer } from '../access/role-recompute';
import type { RuleBook } from '../access/rule-book';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/record';
import { DomainError } from '../errors';
import { isUuid, type GroupId, type UserId } from '../ids';
import type { Clock, IdGenerator, Tx, UnitOfWork } from '../ports';
import type { GroupCollection, GroupField, ListQuery, Page } from '../query';
import type { DeprovisioningBrake } from '../users/deprovisioning-brake';
import { assertVersion, type WriteOptions } from '../users/user-service';
import {
  assertValidDisplayName,
  assertValidExternalId,
  auditSnapshot,
  type Group,
  type GroupDelta,
  type GroupView,
  type NewGroup,
} from './group';

export interface ReadOptions {
  /** Skip loading members (SCIM excludedAttributes=members): a 100,000-member group stays cheap. */
  withMembers: boolean;
}

/** Owns groups and memberships. Membership changes touch only the rows they name. */
export class GroupService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly roles: RoleRecomputer,
    private readonly rules: RuleBook,
    private readonly brake: DeprovisioningBrake,
  ) {}

  async get(actor: Actor, groupId: string, options: ReadOptions): Promise<GroupView> {
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'users.view');
      const group = await this.load(tx, actor, groupId);
      return this.viewOf(tx, group, options);
    });
  }

  async list(
    actor: Actor,
    query: ListQuery<GroupField, GroupCollection>,
    options: ReadOptions,
  ): Promise<Page<GroupView>> {
    return this.uow.read(async (tx) => {
      await this.rules.assert(tx, actor, 'users.view');
      const page = await tx.groups.list(actor.accountId, query);
      if (!options.withMembers) return { ...page, items: page.items.map((group) => ({ group })) };
      const members = await tx.groups.members(
        actor.accountId,
        page.items.map((g) => g.id),
      );
      return { ...page, items: page.items.map((group) => ({ group, members: members.get(group.id) ?? [] })) };
    });
  }

  async create(actor: Actor, input: NewGroup): Promise<GroupView> {
    assertValidDisplayName(input.displayName);
    assertValidExternalId(input.externalId);
    return this.uow.write(actor.accountId, async (tx) => {
      await this.rules.assert(tx, actor, 'groups.provision');
      await this.assertMembers(tx, actor, input.memberIds);
      const now = this.clock.now();
      const group: Group = {
        id: this.ids.newId() as GroupId,
        accountId: actor.accountId,
        displayName: input.displayName,
        externalId: input.externalId,
        version: 1,
        created: now,
        lastModified: now,
      };
      await tx.groups.insert(group);
      const added = await tx.groups.addMembers(actor.accountId, group.id, input.memberIds);
      await recordAudit(tx, actor, this.clock, {
        action: 'group.created',
        subjectType: 'group',
        subjectId: group.id,
        before: null,
        after: { ...auditSnapshot(group), addedMembers: added },
      });
      await this.roles.recompute(tx, actor, added);
      return this.viewOf(tx, group, { withMembers: true });
    });
  }

  /** Renames and changes members in one transaction, reading only the rows the delta names. */
  async applyDelta(
    actor: Actor,
    groupId: string,
    delta: GroupDelta,
    options: WriteOptions = {},
  ): Promise<Group> {
    if (delta.displayName !== undefined) assertValidDisplayName(delta.displayName);
    assertValidExternalId(delta.externalId);
    return this.brake.recordingHolds(actor, () => this.updateOnce(actor, groupId, delta, options));
  }

  private updateOnce(
    actor: Actor,
    groupId: string,
    delta: GroupDelta,
    options: WriteOptions,
  ): Promise<Group> {
    return this.uow.write(actor.accountId, async (tx) => {
      await this.rules.assert(tx, actor, 'groups.provision');
      const current = await this.load(tx, actor, groupId, true);
      assertVersion(current.version, options);
      await this.assertMembers(tx, actor, [...(delta.replaceMembersWith ?? []), ...delta.addMemberIds]);
      const { added, removed } = await this.changeMembers(tx, actor, current, delta);
      const next: Group = {
        ...current,
        displayName: delta.displayName ?? current.displayName,
        externalId: delta.externalId !== undefined ? delta.externalId : current.externalId,
        version: current.version + 1,
        lastModified: Math.max(this.clock.now(), current.lastModified),
      };
      if (!(await tx.groups.update(next))) {
        throw DomainError.precondition(
          'group.version_mismatch',
          `Group ${current.id} was changed meanwhile; retry`,
        );
      }
      await recordAudit(tx, actor, this.clock, {
        action: 'group.updated',
        subjectType: 'group',
        subjectId: current.id,
        before: auditSnapshot(current),
        after: { ...auditSnapshot(next), addedMembers: added, removedMembers: removed },
      });
      // A new name or externalId may match a different mapping: then every member's role may move.
      const renamed = next.displayName !== current.displayName || next.externalId !== current.externalId;
      const affected = renamed ? await tx.groups.memberIds(actor.accountId, current.id) : [];
      const lost = await this.roles.recompute(tx, actor, [...added, ...removed, ...affected]);
      await this.brake.assertMayRemoveThroughGroups(tx, actor, lost);
      return next;
    });
  }

  async delete(actor: Actor, groupId: string, options: WriteOptions = {}): Promise<void> {
    await this.brake.recordingHolds(actor, () =>
      this.uow.write(actor.accountId, async (tx) => {
        await this.rules.assert(tx, actor, 'groups.provision');
        const group = await this.load(tx, actor, groupId, true);
        assertVersion(group.version, options);
        const formerMembers = await tx.groups.memberIds(actor.accountId, group.id);
        await tx.groups.delete(actor.accountId, group.id);
        await recordAudit(tx, actor, this.clock, {
          action: 'group.deleted',
          subjectType: 'group',
          subjectId: group.id,
          before: auditSnapshot(group),
          after: null,
        });
        const lost = await this.roles.recompute(tx, actor, formerMembers);
        await this.brake.assertMayRemoveThroughGroups(tx, actor, lost);
      }),
    );
  }

  private async changeMembers(
    tx: Tx,
    actor: Actor,
    group: Group,
    delta: GroupDelta,
  ): Promise<{ added: UserId[]; removed: UserId[] }> {
    const added: UserId[] = [];
    const removed: UserId[] = [];
    if (delta.replaceMembersWith) {
      // A full replace is the one change whose cost is the group's size: it names every member.
      const wanted = new Set(delta.replaceMembersWith);
      const current = await tx.groups.memberIds(actor.accountId, group.id);
      const gone = current.filter((id) => !wanted.has(id));
      removed.push(...(await tx.groups.removeMembers(actor.accountId, group.id, gone)));
      added.push(...(await tx.groups.addMembers(actor.accountId, group.id, [...wanted])));
    }
    added.push(...(await tx.groups.addMembers(actor.accountId, group.id, delta.addMemberIds)));
    removed.push(...(await tx.groups.removeMembers(actor.accountId, group.id, delta.removeMemberIds)));
    return { added, removed };
  }

  private async load(tx: Tx, actor: Actor, groupId: string, forUpdate = false): Promise<Group> {
    const group = isUuid(groupId)
      ? await tx.groups.get(actor.accountId, groupId as GroupId, { forUpdate })
      : null;
    if (!group) throw DomainError.notFound('group.not_found', `Group ${groupId} not found`);
    return group;
  }

  private async viewOf(tx: Tx, group: Group, options: ReadOptions): Promise<GroupView> {
    if (!options.withMembers) return { group };
    const members = await tx.groups.members(group.accountId, [group.id]);
    return { group, members: members.get(group.id) ?? [] };
  }

  /** Members must be users of the same account; an unknown or foreign id refuses the whole write. */
  private async assertMembers(tx: Tx, actor: Actor, memberIds: readonly UserId[]): Promise<void> {
    if (memberIds.length === 0) return;
    const unique = [...new Set(memberIds)];
    const malformed = unique.filter((id) => !isUuid(id));
    const found = await tx.users.existing(
      actor.accountId,
      unique.filter((id) => isUuid(id)),
    );
    const unknown = [...malformed, ...unique.filter((id) => isUuid(id) && !found.has(id))];
    if (unknown.length > 0) {
      const shown =
        unknown.slice(0, 5).join(', ') + (unknown.length > 5 ? ` and ${unknown.length - 5} more` : '');
      throw DomainError.invalid(
        'group.member_unknown',
        `Members must be users of this account; unknown: ${shown}`,
      );
    }
  }
}

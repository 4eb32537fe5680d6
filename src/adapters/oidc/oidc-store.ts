import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Clock, UnitOfWork } from '../../domain/ports';
import { isUuid } from '../../domain/ids';
import { clientMetadata } from './client-metadata';
import { oidcProvider } from './provider';

/**
 * oidc-provider's storage (its seven-method adapter) over the `oidc_payloads` table, through the
 * unit of work like every other query (on SQLite a direct DataSource call would join another
 * request's transaction). Nothing is kept in process memory, so any instance serves any step.
 * Clients come from `oidc_clients`, registered by the operator.
 */
export class OidcStore implements Adapter {
  constructor(
    private readonly model: string,
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const subject =
      typeof payload.accountId === 'string' && isUuid(payload.accountId) ? payload.accountId : null;
    await this.uow.write(null, (tx) =>
      tx.oidcPayloads.upsert({
        model: this.model,
        id,
        payload: JSON.stringify(payload),
        grantId: typeof payload.grantId === 'string' ? payload.grantId : null,
        uid: typeof payload.uid === 'string' ? payload.uid : null,
        userCode: typeof payload.userCode === 'string' ? payload.userCode : null,
        userId: subject,
        expires: expiresIn ? this.clock.now() + expiresIn * 1000 : null,
      }),
    );
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (this.model === 'Client') {
      const client = await this.uow.read((tx) => tx.oidcClients.get(id));
      return client && client.revoked === null ? clientMetadata(client) : undefined;
    }
    const now = this.clock.now();
    return payloadOf(await this.uow.read((tx) => tx.oidcPayloads.find(this.model, id, now)));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const now = this.clock.now();
    return payloadOf(await this.uow.read((tx) => tx.oidcPayloads.findByUid(this.model, uid, now)));
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const now = this.clock.now();
    return payloadOf(await this.uow.read((tx) => tx.oidcPayloads.findByUserCode(this.model, userCode, now)));
  }

  /**
   * Marks a code used. The provider checks `consumed` on what it read first; two instances given
   * the same code at once both read it unused, so the database decides here: the loser's grant is
   * revoked and it answers invalid_grant, as for any replayed code.
   */
  async consume(id: string): Promise<void> {
    const now = this.clock.now();
    const won = await this.uow.write(null, async (tx) => {
      if (await tx.oidcPayloads.consume(this.model, id, now)) return true;
      const stored = await tx.oidcPayloads.find(this.model, id, now);
      const grantId = stored ? (JSON.parse(stored.payload) as { grantId?: unknown }).grantId : undefined;
      if (typeof grantId === 'string') await tx.oidcPayloads.revokeByGrantId(grantId);
      return false;
    });
    if (!won) throw new (await oidcProvider()).errors.InvalidGrant('grant request is invalid');
  }

  async destroy(id: string): Promise<void> {
    await this.uow.write(null, (tx) => tx.oidcPayloads.destroy(this.model, id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.uow.write(null, (tx) => tx.oidcPayloads.revokeByGrantId(grantId));
  }
}

function payloadOf(stored: { payload: string; consumed: number | null } | null): AdapterPayload | undefined {
  if (!stored) return undefined;
  const payload = JSON.parse(stored.payload) as AdapterPayload;
  // The provider wants `consumed` as a truthy value once used (seconds, as it writes times).
  return stored.consumed === null ? payload : { ...payload, consumed: Math.floor(stored.consumed / 1000) };
}

/** The factory oidc-provider calls once per model name; the composition root passes uow and clock. */
export function oidcStore(uow: UnitOfWork, clock: Clock): (model: string) => Adapter {
  return (model) => new OidcStore(model, uow, clock);
}

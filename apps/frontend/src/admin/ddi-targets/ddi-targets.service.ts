import { Inject, Injectable } from '@nestjs/common';
import type { DdiTargetView, NewDdiTargetView, Page } from '@ucupdates/admin-api';
import { type DdiTargetEntity, type DdiTargetFilter, DdiTargetsRepository } from '@ucupdates/database';
import type { AdminPrincipal } from '../../auth/admin-principal';
import { generateToken, hashToken } from '../../auth/token-hash';
import { ApiError } from '../../errors/api-error';
import { AdminChanges } from '../shared/admin-changes';
import { decodeCursor, encodeCursor } from '../shared/pagination';

/**
 * DDI targets as administrators register them (ddi.md, "Administration"): a device and its
 * attributes, its target token issued and shown once (only its SHA-256 is stored, as admin
 * tokens' are), a new token on request (the old one stops working), removal. Every change has its
 * admin audit row, which never holds a token. No frontend keeps targets in memory: nothing to
 * announce.
 */
@Injectable()
export class DdiTargetsService {
  constructor(
    @Inject(DdiTargetsRepository) private readonly targets: DdiTargetsRepository,
    @Inject(AdminChanges) private readonly changes: AdminChanges,
  ) {}

  async create(controllerId: string, attributes: Record<string, string>, principal: AdminPrincipal): Promise<NewDdiTargetView> {
    const token = generateToken();
    return this.changes.transaction(async (tx) => {
      const target = await tx(this.targets).create({ controllerId, attributes, tokenHash: hashToken(token), registeredBy: principal.name });
      if (target === null) {
        throw new ApiError('DuplicateTarget', `a DDI target ${controllerId} is already registered`, { field: 'controllerId' });
      }
      await this.changes.record(tx, principal, {
        action: 'ddiTarget.create',
        target: `ddiTarget/${controllerId}`,
        before: null,
        after: { ...view(target) },
      });
      return { ...view(target), token };
    });
  }

  async list(filter: DdiTargetFilter, limit: number, cursor?: string): Promise<Page<DdiTargetView>> {
    const after = cursor ? decodeCursor(cursor, 1)[0] : null;
    const rows = await this.targets.page(filter, after, limit + 1);
    const page = rows.slice(0, limit);
    return { items: page.map(view), nextCursor: rows.length > limit ? encodeCursor([page.at(-1)!.controllerId]) : null };
  }

  async get(controllerId: string): Promise<DdiTargetView> {
    return view(await this.find(this.targets, controllerId, false));
  }

  /** A new target token; the old one stops working when this commits. */
  async issueToken(controllerId: string, principal: AdminPrincipal): Promise<NewDdiTargetView> {
    const token = generateToken();
    return this.changes.transaction(async (tx) => {
      const before = await this.find(tx(this.targets), controllerId, true);
      await tx(this.targets).setTokenHash(controllerId, hashToken(token));
      const after = await this.find(tx(this.targets), controllerId, false);
      await this.changes.record(tx, principal, {
        action: 'ddiTarget.token',
        target: `ddiTarget/${controllerId}`,
        before: { tokenIssuedAt: before.tokenIssuedAt?.toISOString() ?? null },
        after: { tokenIssuedAt: after.tokenIssuedAt?.toISOString() ?? null },
      });
      return { ...view(after), token };
    });
  }

  /** Removes the device and its token; what it did stays in the request audit. */
  async delete(controllerId: string, principal: AdminPrincipal): Promise<void> {
    await this.changes.transaction(async (tx) => {
      const target = await this.find(tx(this.targets), controllerId, true);
      await tx(this.targets).delete(controllerId);
      await this.changes.record(tx, principal, {
        action: 'ddiTarget.delete',
        target: `ddiTarget/${controllerId}`,
        before: { ...view(target) },
        after: null,
      });
    });
  }

  private async find(targets: DdiTargetsRepository, controllerId: string, lock: boolean): Promise<DdiTargetEntity> {
    const target = await targets.byControllerId(controllerId, lock);
    if (!target) {
      throw new ApiError('NotFound', `no DDI target ${controllerId}`);
    }
    return target;
  }
}

function view(target: DdiTargetEntity): DdiTargetView {
  return {
    controllerId: target.controllerId,
    attributes: target.attributes,
    registeredBy: target.registeredBy,
    tokenIssuedAt: target.tokenIssuedAt?.toISOString() ?? null,
    createdAt: target.createdAt.toISOString(),
  };
}

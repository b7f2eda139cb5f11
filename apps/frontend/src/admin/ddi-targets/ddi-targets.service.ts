import { Inject, Injectable } from '@nestjs/common';
import type { DdiActionStatus, DdiResultView, DdiTargetDetailView, DdiTargetView, NewDdiTargetView, Page } from '@ucupdates/admin-api';
import {
  type DdiActionRow,
  DdiActionsRepository,
  type DdiTargetEntity,
  type DdiTargetFilter,
  DdiTargetsRepository,
  type DdiTargetSummaryRow,
} from '@ucupdates/database';
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
    @Inject(DdiActionsRepository) private readonly actions: DdiActionsRepository,
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
        subject: controllerId,
        before: null,
        after: { ...view(target) },
      });
      return { ...(await this.summaryOf(tx(this.targets), controllerId)), token };
    });
  }

  async list(filter: DdiTargetFilter, limit: number, cursor?: string): Promise<Page<DdiTargetView>> {
    const after = cursor ? decodeCursor(cursor, 1)[0] : null;
    const rows = await this.targets.page(filter, after, limit + 1);
    const page = rows.slice(0, limit);
    return { items: page.map(summaryView), nextCursor: rows.length > limit ? encodeCursor([page.at(-1)!.controllerId]) : null };
  }

  /** The device as listed, and what it reported on its newest actions. */
  async get(controllerId: string): Promise<DdiTargetDetailView> {
    const target = await this.summaryOf(this.targets, controllerId);
    const reported = await this.actions.reported(controllerId, RESULTS);
    return { ...target, results: reported.map(resultView) };
  }

  /** A new target token; the old one stops working when this commits. */
  async issueToken(controllerId: string, principal: AdminPrincipal): Promise<NewDdiTargetView> {
    const token = generateToken();
    return this.changes.transaction(async (tx) => {
      const before = await this.find(tx(this.targets), controllerId, true);
      await tx(this.targets).setTokenHash(controllerId, hashToken(token));
      const after = await this.summaryOf(tx(this.targets), controllerId);
      await this.changes.record(tx, principal, {
        action: 'ddiTarget.token',
        target: `ddiTarget/${controllerId}`,
        subject: controllerId,
        before: { tokenIssuedAt: before.tokenIssuedAt?.toISOString() ?? null },
        after: { tokenIssuedAt: after.tokenIssuedAt },
      });
      return { ...after, token };
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
        subject: controllerId,
        before: { ...view(target) },
        after: null,
      });
    });
  }

  private async summaryOf(targets: DdiTargetsRepository, controllerId: string): Promise<DdiTargetView> {
    const row = await targets.summary(controllerId);
    if (!row) {
      throw new ApiError('NotFound', `no DDI target ${controllerId}`);
    }
    return summaryView(row);
  }

  private async find(targets: DdiTargetsRepository, controllerId: string, lock: boolean): Promise<DdiTargetEntity> {
    const target = await targets.byControllerId(controllerId, lock);
    if (!target) {
      throw new ApiError('NotFound', `no DDI target ${controllerId}`);
    }
    return target;
  }
}

/** How many of a device's newest results its detail shows. */
const RESULTS = 10;

const iso = (date: Date | null) => (date === null ? null : new Date(date).toISOString());

function summaryView(row: DdiTargetSummaryRow): DdiTargetView {
  return {
    controllerId: row.controllerId,
    attributes: row.attributes,
    registeredBy: row.registeredBy,
    tokenIssuedAt: iso(row.tokenIssuedAt),
    createdAt: new Date(row.createdAt).toISOString(),
    installed: (row.installed ?? []).map(({ updateType, version }) => ({ updateType, version })),
    lastSeenAt: iso(row.lastSeenAt),
    lastPoll: row.pollAt === null ? null : { at: new Date(row.pollAt).toISOString(), nodeId: row.pollNodeId!, address: row.pollAddress! },
    openAction:
      row.actionId === null
        ? null
        : {
            id: row.actionId,
            updateType: row.actionUpdateType!,
            version: row.actionVersion!,
            status: row.actionStatus as DdiActionStatus,
            createdAt: new Date(row.actionCreatedAt!).toISOString(),
          },
  };
}

function resultView(action: DdiActionRow): DdiResultView {
  const feedback = action.lastFeedback!;
  return {
    actionId: action.id,
    updateType: action.updateType,
    version: action.version,
    status: action.status as DdiActionStatus,
    execution: feedback.execution,
    finished: feedback.finished,
    details: feedback.details,
    time: feedback.time,
    at: feedback.at,
  };
}

/** The target's own fields, as its admin audit rows hold them. */
function view(target: DdiTargetEntity): Pick<DdiTargetView, 'controllerId' | 'attributes' | 'registeredBy' | 'tokenIssuedAt' | 'createdAt'> {
  return {
    controllerId: target.controllerId,
    attributes: target.attributes,
    registeredBy: target.registeredBy,
    tokenIssuedAt: target.tokenIssuedAt?.toISOString() ?? null,
    createdAt: target.createdAt.toISOString(),
  };
}

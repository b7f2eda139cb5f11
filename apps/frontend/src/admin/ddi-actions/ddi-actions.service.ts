import { Inject, Injectable } from '@nestjs/common';
import type { DdiActionStatus, DdiActionView, Page } from '@ucupdates/admin-api';
import { type DdiActionFilters, type DdiActionRow, DdiActionsRepository } from '@ucupdates/database';
import { ruleKeyText } from '@ucupdates/rules';
import type { AdminPrincipal } from '../../auth/admin-principal';
import { ApiError } from '../../errors/api-error';
import { AdminChanges } from '../shared/admin-changes';
import { badCursor, decodeCursor, encodeCursor } from '../shared/pagination';

/**
 * DDI actions as administrators see them (ddi.md): newest first, by device or status; a failed
 * one retried, with its admin audit row. No frontend keeps actions in memory: nothing to announce.
 */
@Injectable()
export class DdiActionsService {
  constructor(
    @Inject(DdiActionsRepository) private readonly actions: DdiActionsRepository,
    @Inject(AdminChanges) private readonly changes: AdminChanges,
  ) {}

  async list(filters: DdiActionFilters, limit: number, cursor?: string): Promise<Page<DdiActionView>> {
    const after = cursor ? decodeCursor(cursor, 1)[0] : null;
    // The last item's id: a cursor of another form would reach Postgres as a bigint it is not.
    if (after !== null && !/^[1-9][0-9]{0,17}$/.test(after)) throw badCursor();
    const rows = await this.actions.page(filters, after, limit + 1);
    const page = rows.slice(0, limit);
    return { items: page.map(view), nextCursor: rows.length > limit ? encodeCursor([page.at(-1)!.id]) : null };
  }

  async retry(id: string, principal: AdminPrincipal): Promise<DdiActionView> {
    return this.changes.transaction(async (tx) => {
      const retried = await tx(this.actions).retry(id);
      if (retried === null) {
        if ((await tx(this.actions).byId(id)) === null) throw new ApiError('NotFound', `no DDI action ${id}`);
        throw new ApiError('NotRetriable', `DDI action ${id} is not a failed one waiting for a retry`);
      }
      await this.changes.record(tx, principal, {
        action: 'ddiAction.retry',
        target: `ddiAction/${id}`,
        subject: `${retried.controllerId} ${ruleKeyText(retried)} ${retried.version}`,
        before: { status: retried.status, retriedAt: null },
        after: { status: retried.status, retriedAt: retried.retriedAt!.toISOString() },
      });
      return view(retried);
    });
  }
}

function view(row: DdiActionRow): DdiActionView {
  const iso = (date: Date | null) => (date === null ? null : new Date(date).toISOString());
  return {
    id: row.id,
    controllerId: row.controllerId,
    deviceType: row.deviceType,
    brand: row.brand,
    model: row.model,
    revision: row.revision,
    locale: row.locale,
    updateType: row.updateType,
    version: row.version,
    status: row.status as DdiActionStatus,
    lastFeedback: row.lastFeedback,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
    closedAt: iso(row.closedAt),
    retriedAt: iso(row.retriedAt),
  };
}

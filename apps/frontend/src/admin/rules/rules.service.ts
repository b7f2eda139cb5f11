import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@ucupdates/config';
import { PoolStateRepository, RuleEntity } from '@ucupdates/database';
import {
  approve,
  reset,
  restore,
  RuleError,
  type RuleKeyFields,
  type RuleState,
  type RuleTransition,
  ruleStateOf,
} from '@ucupdates/rules';
import { DataSource, type EntityManager } from 'typeorm';
import type { AdminPrincipal } from '../../auth/admin-principal';
import { ApiError } from '../../errors/api-error';
import { decodeCursor, encodeCursor, type Page } from '../pagination';
import { type ReplicationState, ruleView, type RuleView } from './rule-view';
import { AdminChanges } from '../admin-changes';

export const RULE_FILTERS = ['deviceType', 'brand', 'model', 'revision', 'locale', 'updateType'] as const;
export type RuleFilters = Partial<Record<(typeof RULE_FILTERS)[number], string>>;

const COLUMNS: Record<(typeof RULE_FILTERS)[number], string> = {
  deviceType: 'device_type',
  brand: 'brand',
  model: 'model',
  revision: 'revision',
  locale: 'locale',
  updateType: 'update_type',
};

export type RuleAction = 'approve' | 'reset' | 'restore';

const TRANSITIONS: Record<RuleAction, (state: RuleState, now: Date) => RuleTransition> = {
  approve,
  reset: (state) => reset(state),
  restore,
};

/**
 * Lync's rule cmdlets over the admin API. Each change locks the rule, applies the pure transition
 * of libs/rules and writes its audit row in the same transaction.
 */
@Injectable()
export class RulesService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(AdminChanges) private readonly changes: AdminChanges,
    @Inject(PoolStateRepository) private readonly poolState: PoolStateRepository,
  ) {}

  /** Filters compare case-insensitively; `*` matches any run of characters. Sorted by key. */
  async list(filters: RuleFilters, limit: number, cursor?: string): Promise<Page<RuleView>> {
    const query = this.dataSource.getRepository(RuleEntity).createQueryBuilder('rule');
    for (const name of RULE_FILTERS) {
      const value = filters[name];
      if (value !== undefined) {
        query.andWhere(`rule.${COLUMNS[name]} ILIKE :${name}`, { [name]: likePattern(value) });
      }
    }
    if (cursor) {
      const after = decodeCursor(cursor, 6);
      query.andWhere(
        `(rule.device_type, rule.brand, rule.model, rule.revision, rule.locale, rule.update_type) > (:...after)`,
        { after },
      );
    }
    const rows = await query
      .orderBy('rule.device_type')
      .addOrderBy('rule.brand')
      .addOrderBy('rule.model')
      .addOrderBy('rule.revision')
      .addOrderBy('rule.locale')
      .addOrderBy('rule.update_type')
      .take(limit + 1)
      .getMany();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: await Promise.all(page.map((rule) => this.view(rule))),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor([last.deviceType, last.brand, last.model, last.revision, last.locale, last.updateType])
          : null,
    };
  }

  async get(id: string): Promise<RuleView> {
    return this.view(await this.find(this.dataSource.manager, id, false));
  }

  /**
   * Applies a transition. An approval is refused (409 NotReplicated, naming the nodes and their
   * missing files) while an active node lacks a file of the pending version, unless forced; a
   * forced approval says so in its audit row.
   */
  async change(id: string, action: RuleAction, principal: AdminPrincipal, { force = false } = {}): Promise<RuleView> {
    const rule = await this.changes.commit('rules', async (manager) => {
      const locked = await this.find(manager, id, true);
      const before = ruleStateOf(locked);
      const transition = this.apply(() => TRANSITIONS[action](before, new Date()));
      const gated = action === 'approve' && before.pendingVersion !== null;
      if (gated && !force) {
        await this.refuseUnlessReplicated(manager, id, before.pendingVersion!);
      }
      await manager.getRepository(RuleEntity).update(id, transition.state);
      const offered = offeredVersions(transition.state);
      await this.poolState.in(manager).retireVersions(id, offered, offeredVersions(before).filter((version) => !offered.includes(version)));
      await this.changes.record(manager, principal, {
        action: `rule.${action}`,
        target: `rule/${id}`,
        before: { ...before },
        after: gated && force ? { ...transition.state, forced: true } : { ...transition.state },
      });
      return { ...locked, ...transition.state };
    });
    return this.view(rule);
  }

  async remove(id: string, principal: AdminPrincipal): Promise<void> {
    await this.changes.commit('rules', async (manager) => {
      const locked = await this.find(manager, id, true);
      // Its versions and their file lists go with it (ON DELETE CASCADE); files stay until purged.
      await manager.getRepository(RuleEntity).delete(id);
      await this.changes.record(manager, principal, {
        action: 'rule.remove',
        target: `rule/${id}`,
        before: { ...keyOf(locked), ...ruleStateOf(locked) },
        after: null,
      });
    });
  }

  private async find(manager: EntityManager, id: string, lock: boolean): Promise<RuleEntity> {
    const query = manager.getRepository(RuleEntity).createQueryBuilder('rule').where('rule.id = :id', { id });
    const rule = await (lock ? query.setLock('pessimistic_write') : query).getOne();
    if (!rule) {
      throw new ApiError('NotFound', `no rule ${id}`, HttpStatus.NOT_FOUND);
    }
    return rule;
  }

  /** Lync's refusals (NoPendingVersion, NothingToRestore) are state conflicts: 409. */
  private apply(transition: () => RuleTransition): RuleTransition {
    try {
      return transition();
    } catch (error) {
      if (error instanceof RuleError) {
        throw new ApiError(error.code, error.message, HttpStatus.CONFLICT);
      }
      throw error;
    }
  }

  private async view(rule: RuleEntity): Promise<RuleView> {
    const [pending, approved] = await Promise.all([
      this.replicationOf(rule.id, rule.pendingVersion),
      this.replicationOf(rule.id, rule.approvedVersion),
    ]);
    return ruleView(rule, this.config.UCU_POOL_FQDN, { pending, approved });
  }

  /** `complete` when every active node holds every file of the version ready, else `partial`. */
  private async replicationOf(ruleId: string, version: string | null): Promise<ReplicationState | null> {
    if (version === null) {
      return null;
    }
    return (await this.missingReplicas(this.dataSource.manager, ruleId, version)).length === 0 ? 'complete' : 'partial';
  }

  private async refuseUnlessReplicated(manager: EntityManager, ruleId: string, version: string): Promise<void> {
    const missing = await this.missingReplicas(manager, ruleId, version);
    if (missing.length === 0) return;
    const nodes: Record<string, string[]> = {};
    for (const { nodeId, name } of missing) (nodes[nodeId] ??= []).push(name);
    throw new ApiError(
      'NotReplicated',
      `version ${version} is not on every active node yet (${Object.keys(nodes).join(', ')}); approve again once it is, or force it`,
      HttpStatus.CONFLICT,
      { version, nodes },
    );
  }

  /** The files of a version that an active node's replica store does not hold ready, by node. */
  private missingReplicas(manager: EntityManager, ruleId: string, version: string): Promise<{ nodeId: string; name: string }[]> {
    return manager.query(
      `SELECT n.id AS "nodeId", f.name
         FROM update_versions v
         JOIN update_version_files f ON f.update_version_id = v.id
         CROSS JOIN pool_nodes n
        WHERE v.rule_id = $1 AND v.version = $2
          AND n.frontend_heartbeat_at > now() - make_interval(secs => $3::double precision / 1000)
          AND NOT EXISTS (SELECT 1 FROM replicas r WHERE r.node_id = n.id AND r.sha256 = f.sha256 AND r.state = 'ready')
        ORDER BY n.id, f.name`,
      [ruleId, version, this.config.UCU_NODE_DOWN_AFTER_MS],
    );
  }
}

function keyOf(rule: RuleEntity): RuleKeyFields {
  const { deviceType, brand, model, revision, locale, updateType } = rule;
  return { deviceType, brand, model, revision, locale, updateType };
}

/** `*` is the wildcard admins type; SQL's own `%`, `_` and `\` are matched literally. */
export function likePattern(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`).replace(/\*/g, '%');
}

/** The versions whose files a rule offers: approved, pending and restore (a rolled back version sends none). */
function offeredVersions(state: { approvedVersion: string | null; pendingVersion: string | null; restoreVersion: string | null }): string[] {
  return [state.approvedVersion, state.pendingVersion, state.restoreVersion].filter((version): version is string => version !== null);
}

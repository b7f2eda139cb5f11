import { Inject, Injectable } from '@nestjs/common';
import { isErrorCode, type Page, type ReplicationState, type RuleView } from '@ucupdates/admin-api';
import { CONFIG, type Config } from '@ucupdates/config';
import {
  type MissingReplica,
  PoolStateRepository,
  ReplicasRepository,
  type RuleEntity,
  type RuleRow,
  RulesRepository,
  type Transaction,
} from '@ucupdates/database';
import {
  approve,
  reset,
  restore,
  RuleError,
  type RuleKeyFields,
  ruleKeyText,
  type RuleState,
  type RuleTransition,
  ruleStateOf,
} from '@ucupdates/rules';
import type { AdminPrincipal } from '../../auth/admin-principal';
import { ApiError } from '../../errors/api-error';
import { decodeCursor, encodeCursor } from '../shared/pagination';
import { ruleView } from './rule-view';
import { AdminChanges } from '../shared/admin-changes';

export const RULE_FILTERS = ['deviceType', 'brand', 'model', 'revision', 'locale', 'updateType'] as const;
export type RuleFilters = Partial<Record<(typeof RULE_FILTERS)[number], string>>;

export type RuleAction = 'approve' | 'reset' | 'restore';

const TRANSITIONS: Record<RuleAction, (state: RuleState, now: Date) => RuleTransition> = {
  approve,
  reset: (state) => reset(state),
  restore,
};

/**
 * Lync's rule cmdlets over the admin API. Each change locks the rule, applies the pure transition
 * of libs/rules and writes its audit row in the same transaction. A page of rules is two
 * statements whatever its length: the rules, then their versions' replication status.
 */
@Injectable()
export class RulesService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(RulesRepository) private readonly rules: RulesRepository,
    @Inject(ReplicasRepository) private readonly replicas: ReplicasRepository,
    @Inject(AdminChanges) private readonly changes: AdminChanges,
    @Inject(PoolStateRepository) private readonly poolState: PoolStateRepository,
  ) {}

  /** Filters compare case-insensitively; `*` matches any run of characters. Sorted by key. */
  async list(filters: RuleFilters, limit: number, cursor?: string): Promise<Page<RuleView>> {
    const patterns = Object.fromEntries(
      RULE_FILTERS.filter((name) => filters[name] !== undefined).map((name) => [name, likePattern(filters[name]!)]),
    );
    const rows = await this.rules.page(patterns, limit + 1, cursor ? decodeCursor(cursor, 6) : null);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: await this.views(page),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor([last.deviceType, last.brand, last.model, last.revision, last.locale, last.updateType])
          : null,
    };
  }

  async get(id: string): Promise<RuleView> {
    const [view] = await this.views([found(await this.rules.get(id), id)]);
    return view;
  }

  /**
   * Applies a transition. An approval is refused (409 NotReplicated, naming the nodes and their
   * missing files) while an active node lacks a file of the pending version, unless forced; a
   * forced approval says so in its audit row.
   */
  async change(id: string, action: RuleAction, principal: AdminPrincipal, { force = false } = {}): Promise<RuleView> {
    const rule = await this.changes.commit('rules', async (tx) => {
      const locked = found(await tx(this.rules).lock(id), id);
      const before = ruleStateOf(locked);
      const transition = this.apply(() => TRANSITIONS[action](before, new Date()));
      const gated = action === 'approve' && before.pendingVersion !== null;
      if (gated && !force) {
        await this.refuseUnlessReplicated(tx, id, before.pendingVersion!);
      }
      await tx(this.rules).setState(id, transition.state);
      const offered = offeredVersions(transition.state);
      await tx(this.poolState).retireVersions(id, offered, offeredVersions(before).filter((version) => !offered.includes(version)));
      await this.changes.record(tx, principal, {
        action: `rule.${action}`,
        target: `rule/${id}`,
        subject: ruleKeyText(locked),
        before: { ...before },
        after: gated && force ? { ...transition.state, forced: true } : { ...transition.state },
      });
      return found(await tx(this.rules).get(id), id);
    });
    const [view] = await this.views([rule]);
    return view;
  }

  async remove(id: string, principal: AdminPrincipal): Promise<void> {
    await this.changes.commit('rules', async (tx) => {
      const locked = found(await tx(this.rules).lock(id), id);
      await tx(this.rules).remove(id);
      await this.changes.record(tx, principal, {
        action: 'rule.remove',
        target: `rule/${id}`,
        subject: ruleKeyText(locked),
        before: { ...keyOf(locked), ...ruleStateOf(locked) },
        after: null,
      });
    });
  }

  /** Lync's refusals (NoPendingVersion, NothingToRestore) are state conflicts: 409. */
  private apply(transition: () => RuleTransition): RuleTransition {
    try {
      return transition();
    } catch (error) {
      if (error instanceof RuleError && isErrorCode(error.code)) {
        throw new ApiError(error.code, error.message);
      }
      throw error;
    }
  }

  /**
   * The rules' views, with their pending and approved versions' replication in one statement:
   * `complete` when every active node holds every file of the version ready, else `partial`.
   */
  private async views(rows: RuleRow[]): Promise<RuleView[]> {
    const missing = await this.replicas.missingByVersion(
      rows.flatMap((row) => [row.pendingVersionId, row.approvedVersionId]).filter((id): id is string => id !== null),
    );
    const state = (version: string | null, versionId: string | null) =>
      version === null ? null : versionId !== null && missing.get(versionId)!.length > 0 ? 'partial' : 'complete';
    return rows.map((row) =>
      ruleView(row, this.config.UCU_POOL_FQDN, {
        pending: state(row.pendingVersion, row.pendingVersionId),
        approved: state(row.approvedVersion, row.approvedVersionId),
      }),
    );
  }

  private async refuseUnlessReplicated(tx: Transaction, ruleId: string, version: string): Promise<void> {
    const versionId = await tx(this.rules).versionId(ruleId, version);
    const missing: MissingReplica[] = versionId === null ? [] : (await tx(this.replicas).missingByVersion([versionId])).get(versionId)!;
    if (missing.length === 0) return;
    const nodes: Record<string, string[]> = {};
    for (const { nodeId, name } of missing) (nodes[nodeId] ??= []).push(name);
    throw new ApiError(
      'NotReplicated',
      `version ${version} is not on every active node yet (${Object.keys(nodes).join(', ')}); approve again once it is, or force it`,
      { version, nodes },
    );
  }
}

function found<T>(rule: T | null, id: string): T {
  if (!rule) {
    throw new ApiError('NotFound', `no rule ${id}`);
  }
  return rule;
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

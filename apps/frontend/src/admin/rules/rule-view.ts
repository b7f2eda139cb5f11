import type { RuleView } from '@ucupdates/admin-api';
import type { RuleRow } from '@ucupdates/database';

/** A rule as the admin API shows it; Lync's identity of a rule: `service:WebServer:<pool fqdn>/<id>`. */
export function ruleView(
  rule: RuleRow,
  poolFqdn: string,
  replication: RuleView['replication'],
): RuleView {
  return {
    id: rule.id,
    identity: `service:WebServer:${poolFqdn}/${rule.id}`,
    deviceType: rule.deviceType,
    brand: rule.brand,
    model: rule.model,
    revision: rule.revision,
    locale: rule.locale,
    updateType: rule.updateType,
    approvedVersion: rule.approvedVersion,
    pendingVersion: rule.pendingVersion,
    restoreVersion: rule.restoreVersion,
    approvedAt: rule.approvedAt?.toISOString() ?? null,
    pendingAt: rule.pendingAt?.toISOString() ?? null,
    replication,
  };
}

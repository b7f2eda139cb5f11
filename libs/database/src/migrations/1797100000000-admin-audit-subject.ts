import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `admin_audit.subject`: what a change was made to, named as administrators know it (a rule by its
 * key `UCPhone/Polycom/CX600/A/ENU/CPE`, a test device by `<scope>/<name>`, a token by its name, a
 * DDI target by its controller id, a node by its id and URL), recorded with the change, so the
 * entry still names it after the thing is gone. Rows written before are named here as well as
 * their own before/after or the tables still allow; those that cannot be keep `null`.
 */
export class AdminAuditSubject1797100000000 implements MigrationInterface {
  name = 'AdminAuditSubject1797100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "admin_audit" ADD "subject" text`);
    const state = `coalesce(a.after, a.before)`;
    const backfills = [
      // A rule still there: its key; a removed one: the key its before holds.
      `UPDATE admin_audit a SET subject = concat_ws('/', r.device_type, r.brand, r.model, r.revision, r.locale, r.update_type)
         FROM rules r WHERE a.target = 'rule/' || r.id::text`,
      `UPDATE admin_audit a SET subject = concat_ws('/', a.before->>'deviceType', a.before->>'brand', a.before->>'model',
              a.before->>'revision', a.before->>'locale', a.before->>'updateType')
        WHERE a.subject IS NULL AND a.action = 'rule.remove' AND a.before ? 'deviceType'`,
      // The earlier changes of a removed rule: the key its removal recorded.
      `UPDATE admin_audit a SET subject = r.subject FROM admin_audit r
        WHERE a.subject IS NULL AND a.target LIKE 'rule/%' AND r.target = a.target AND r.action = 'rule.remove' AND r.subject IS NOT NULL`,
      `UPDATE admin_audit a SET subject = (${state}->>'scope') || '/' || (${state}->>'name')
        WHERE a.target LIKE 'testDevice/%' AND ${state} ? 'scope' AND ${state} ? 'name'`,
      `UPDATE admin_audit a SET subject = ${state}->>'name' WHERE a.target LIKE 'token/%' AND ${state} ? 'name'`,
      `UPDATE admin_audit a SET subject = ${state}->>'userId' WHERE a.target LIKE 'phoneUser/%' AND ${state} ? 'userId'`,
      `UPDATE admin_audit a SET subject = a.after->>'fileName' WHERE a.target LIKE 'import/%' AND a.after ? 'fileName'`,
      `UPDATE admin_audit a SET subject = substr(a.target, length('ddiTarget/') + 1) WHERE a.target LIKE 'ddiTarget/%'`,
      `UPDATE admin_audit a SET subject = substr(a.target, length('configuration/') + 1) WHERE a.target LIKE 'configuration/%'`,
      `UPDATE admin_audit a SET subject = substr(a.target, length('node/') + 1) || coalesce(' (' || (a.before->>'url') || ')', '')
        WHERE a.target LIKE 'node/%'`,
      `UPDATE admin_audit a SET subject = d.controller_id || ' ' || concat_ws('/', d.device_type, d.brand, d.model, d.revision, d.locale, d.update_type) || ' ' || d.version
         FROM ddi_actions d WHERE a.target = 'ddiAction/' || d.id::text`,
      `UPDATE admin_audit a SET subject = 'files no version references' WHERE a.target = 'files'`,
    ];
    for (const statement of backfills) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "admin_audit" DROP COLUMN "subject"`);
  }
}

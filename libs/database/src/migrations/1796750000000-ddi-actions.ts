import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * DDI actions (ddi.md): one row per device and offered version, its id the action id every node
 * gives the device; at most one open (or cancelling) per device, which the partial unique index
 * holds across nodes polling at once. The request audit and the inventory learn the controller id
 * (and the audit which DDI request a row records).
 */
export class DdiActions1796750000000 implements MigrationInterface {
  name = 'DdiActions1796750000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "ddi_actions" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "controller_id" character varying(64) NOT NULL, ` +
        `"device_type" citext NOT NULL, "brand" citext NOT NULL, "model" citext NOT NULL, "revision" citext NOT NULL, "locale" citext NOT NULL, ` +
        `"update_type" citext NOT NULL, "version" character varying(64) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'open', ` +
        `"last_feedback" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), ` +
        `"closed_at" TIMESTAMP WITH TIME ZONE, "retried_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_61e704a290f78e7a590f083846a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ddi_actions_controller_idx" ON "ddi_actions"("controller_id", "id")`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ddi_actions_active_key" ON "ddi_actions"("controller_id") WHERE status IN ('open', 'cancelling')`,
    );
    await queryRunner.query(`ALTER TABLE "request_audit" ADD "controller_id" character varying(64)`);
    await queryRunner.query(`ALTER TABLE "request_audit" ADD "operation" character varying(32) NOT NULL DEFAULT 'UpdateCheck'`);
    await queryRunner.query(`ALTER TABLE "request_audit" ADD "ddi" jsonb`);
    await queryRunner.query(`CREATE INDEX "request_audit_controller_at_idx" ON "request_audit"("controller_id", "at")`);
    await queryRunner.query(`ALTER TABLE "devices" ADD "controller_id" character varying(64)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "devices" DROP COLUMN "controller_id"`);
    await queryRunner.query(`DROP INDEX "request_audit_controller_at_idx"`);
    await queryRunner.query(`ALTER TABLE "request_audit" DROP COLUMN "ddi"`);
    await queryRunner.query(`ALTER TABLE "request_audit" DROP COLUMN "operation"`);
    await queryRunner.query(`ALTER TABLE "request_audit" DROP COLUMN "controller_id"`);
    await queryRunner.query(`DROP TABLE "ddi_actions"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * DDI targets (ddi.md): the devices that speak hawkBit's DDI API, their attributes and the hash of
 * their target token (unique: a token names one device); and how long a DDI device sleeps between
 * polls, per configuration scope (DdiPollingInterval, 5 minutes by default).
 */
export class DdiTargets1796600000000 implements MigrationInterface {
  name = 'DdiTargets1796600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "ddi_targets" ("controller_id" character varying(64) NOT NULL, "attributes" jsonb NOT NULL DEFAULT '{}', ` +
        `"token_hash" character(64), "token_issued_at" TIMESTAMP WITH TIME ZONE, "registered_by" text NOT NULL, ` +
        `"created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), ` +
        `CONSTRAINT "PK_4b0cf2c6d923a617ae0e6454f50" PRIMARY KEY ("controller_id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ddi_targets_token_hash_key" ON "ddi_targets"("token_hash")`);
    await queryRunner.query(
      `ALTER TABLE "device_update_configurations" ADD "ddi_polling_interval_seconds" integer NOT NULL DEFAULT 300`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "device_update_configurations" DROP COLUMN "ddi_polling_interval_seconds"`);
    await queryRunner.query(`DROP TABLE "ddi_targets"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When a version stopped being offered (reset, restore): its files stay downloadable for a grace period. */
export class RetiredVersions1796342400000 implements MigrationInterface {
  name = 'RetiredVersions1796342400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "update_versions" ADD "retired_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "update_versions" DROP COLUMN "retired_at"`);
  }
}

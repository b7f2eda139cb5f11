import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each node's scrub of its replica store: its passes, the bytes it re-hashed and the mismatches it found. */
export class ReplicaScrub1796500000000 implements MigrationInterface {
  name = 'ReplicaScrub1796500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "pool_nodes" ADD "scrub_pass_started_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "pool_nodes" ADD "scrub_pass_completed_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "pool_nodes" ADD "scrub_checked_bytes" bigint NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "pool_nodes" ADD "scrub_mismatches" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "pool_nodes" ADD "scrub_last_mismatch_sha256" character(64)`);
    await queryRunner.query(`ALTER TABLE "pool_nodes" ADD "scrub_last_mismatch_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of [
      'scrub_last_mismatch_at',
      'scrub_last_mismatch_sha256',
      'scrub_mismatches',
      'scrub_checked_bytes',
      'scrub_pass_completed_at',
      'scrub_pass_started_at',
    ]) {
      await queryRunner.query(`ALTER TABLE "pool_nodes" DROP COLUMN "${column}"`);
    }
  }
}

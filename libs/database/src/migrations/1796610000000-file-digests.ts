import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SHA-1 and MD5 of every stored file beside its SHA-256 (ddi.md: SWUpdate checks an artifact's
 * SHA-1). Nullable: files stored before have none until a package brings them again.
 */
export class FileDigests1796610000000 implements MigrationInterface {
  name = 'FileDigests1796610000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "files" ADD "sha1" character(40)`);
    await queryRunner.query(`ALTER TABLE "files" ADD "md5" character(32)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "files" DROP COLUMN "md5"`);
    await queryRunner.query(`ALTER TABLE "files" DROP COLUMN "sha1"`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `version_key(text)`: one spelling per version, so Postgres tells whether a device runs a rule's
 * version as libs/rules' `sameVersion` does (the inventory's summary and compliance count in SQL).
 * A valid version (libs/rules `isValidVersion`: one to four whole-number parts, each at most
 * 2^31-1, at most 20 characters) loses its leading zeros and its trailing `.0` parts (`04.0.7577.0`
 * and `4.0.7577` are both `4.0.7577`); anything else is kept as it is, so it equals only itself.
 * test/integration/inventory.int-spec.ts checks the two agree.
 */
export class VersionKey1796900000000 implements MigrationInterface {
  name = 'VersionKey1796900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION version_key(version text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE
          WHEN version ~ '^[0-9]+(\\.[0-9]+){0,3}$' AND length(version) <= 20
           AND NOT EXISTS (SELECT 1 FROM unnest(string_to_array(version, '.')) AS p(part)
                            WHERE length(ltrim(part, '0')) > 10
                               OR (length(ltrim(part, '0')) = 10 AND ltrim(part, '0') COLLATE "C" > '2147483647'))
          THEN regexp_replace(regexp_replace(version, '(^|\\.)0+(?=[0-9])', '\\1', 'g'), '(\\.0)+$', '')
          ELSE version
        END
      $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION version_key(text)`);
  }
}

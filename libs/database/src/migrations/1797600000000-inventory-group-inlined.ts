import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `device_inventory_group` spelled so Postgres inlines it (decision 73, docs/performance.md "The
 * audit shipment in Postgres"). Migration 1797400000000 concatenated `octet_length(…) || ':'`,
 * which resolves to `anytextcat`, a STABLE function: Postgres does not inline an IMMUTABLE SQL
 * function whose body is less than immutable, so every call (the devices trigger's, once for each
 * row the audit write proposes for the inventory) went through the SQL-function executor, about
 * 13 µs a call against 4.5 µs inlined. `octet_length(…)::text` is the same int4 output, so every
 * group is the same UUID, byte for byte; no row needs its group again.
 */
export class InventoryGroupInlined1797600000000 implements MigrationInterface {
  name = 'InventoryGroupInlined1797600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(inventoryGroupFunction('::text'));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(inventoryGroupFunction(''));
  }
}

/** The function with each length written as `octet_length(x)<cast>` (bench/audit-shipment.ts compares the two). */
export function inventoryGroupFunction(cast: string): string {
  return `
    CREATE OR REPLACE FUNCTION device_inventory_group(device_type text, brand text, model text, revision text, locale text,
                                                      modules jsonb, is_test_device boolean)
      RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT md5(octet_length(device_type)${cast} || ':' || device_type || octet_length(brand)${cast} || ':' || brand
                 || octet_length(model)${cast} || ':' || model || octet_length(revision)${cast} || ':' || revision
                 || octet_length(locale)${cast} || ':' || locale || CASE WHEN is_test_device THEN 't' ELSE 'f' END
                 || modules::text)::uuid
    $$`;
}

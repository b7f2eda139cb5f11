import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `devices.inventory_group`: one UUID per distinct (device type, brand, model, revision, locale,
 * modules, test device), byte for byte, so the inventory's summary groups 100,000 devices by one
 * 16-byte column instead of hashing five text columns and the modules JSON of every row (decision
 * 73). A BEFORE trigger keeps it current on every insert and on every update that names one of
 * those columns, whoever writes the row (the audit writer's upsert, the generator, a test), so the
 * write statements stay as they are; it costs the row written an MD5 of a few hundred bytes, and a
 * row is written only when a device is new, changed, or last seen INVENTORY_TOUCH_MINUTES ago.
 *
 * The MD5 is of an unambiguous spelling (each text field prefixed by its length), so two devices
 * share a group exactly when all seven fields are the same bytes: what the summary grouped by
 * before, with a 2^-128 chance per pair of groups of telling two apart wrongly.
 */
export class InventoryGroup1797400000000 implements MigrationInterface {
  name = 'InventoryGroup1797400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION device_inventory_group(device_type text, brand text, model text, revision text, locale text,
                                             modules jsonb, is_test_device boolean)
        RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT md5(octet_length(device_type) || ':' || device_type || octet_length(brand) || ':' || brand
                   || octet_length(model) || ':' || model || octet_length(revision) || ':' || revision
                   || octet_length(locale) || ':' || locale || CASE WHEN is_test_device THEN 't' ELSE 'f' END
                   || modules::text)::uuid
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION devices_set_inventory_group() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.inventory_group := device_inventory_group(NEW.device_type::text, NEW.brand::text, NEW.model::text, NEW.revision::text,
                                                      NEW.locale::text, NEW.modules, NEW.is_test_device);
        RETURN NEW;
      END
      $$`);
    await queryRunner.query(`ALTER TABLE devices ADD COLUMN inventory_group uuid`);
    await queryRunner.query(`
      UPDATE devices SET inventory_group = device_inventory_group(device_type::text, brand::text, model::text, revision::text,
                                                                  locale::text, modules, is_test_device)`);
    await queryRunner.query(`ALTER TABLE devices ALTER COLUMN inventory_group SET NOT NULL`);
    await queryRunner.query(`
      CREATE TRIGGER devices_inventory_group
        BEFORE INSERT OR UPDATE OF device_type, brand, model, revision, locale, modules, is_test_device, inventory_group ON devices
        FOR EACH ROW EXECUTE FUNCTION devices_set_inventory_group()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER devices_inventory_group ON devices`);
    await queryRunner.query(`ALTER TABLE devices DROP COLUMN inventory_group`);
    await queryRunner.query(`DROP FUNCTION devices_set_inventory_group()`);
    await queryRunner.query(`DROP FUNCTION device_inventory_group(text, text, text, text, text, jsonb, boolean)`);
  }
}

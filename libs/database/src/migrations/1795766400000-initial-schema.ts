import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole data model of ucupdates (docs/data-model.md): generated from the entities with
 * TypeORM's schema builder, then reviewed. citext makes rule keys, test-device names and phone
 * user ids compare case-insensitively, as Lync's did; pgcrypto provides gen_random_uuid() on
 * Postgres before 13. Both are trusted extensions: a database owner may create them.
 */
export class InitialSchema1795766400000 implements MigrationInterface {
  name = 'InitialSchema1795766400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS citext`);
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await queryRunner.query(`CREATE TABLE "admin_audit" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor" text NOT NULL, "role" character varying(16) NOT NULL, "action" character varying(64) NOT NULL, "target" text NOT NULL, "before" jsonb, "after" jsonb, "node_id" character varying(63) NOT NULL, CONSTRAINT "PK_5ad48a4d9d16397ef37e28bb0be" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "admin_audit_at_idx" ON "admin_audit"("at")`);
    await queryRunner.query(`CREATE TABLE "admin_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(128) NOT NULL, "role" character varying(16) NOT NULL, "token_hash" character(64) NOT NULL, "created_by" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_b0ffb2eb61ec6504d719d5032d5" UNIQUE ("token_hash"), CONSTRAINT "PK_1b8fe3dbc19bbe91baa16ab6b09" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "device_logs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "device_type" text NOT NULL, "mac_address" character varying(64), "serial_number" character varying(128), "log_type" character varying(64) NOT NULL, "file_name" character varying(255) NOT NULL, "size" bigint NOT NULL, "sha256" character(64) NOT NULL, "object_key" text NOT NULL, "node_id" character varying(63) NOT NULL, "address" character varying(64) NOT NULL, "user_id" text, "external" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_16e38d55a3924c19dfb91dfc5ec" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "device_logs_serial_idx" ON "device_logs"("serial_number")`);
    await queryRunner.query(`CREATE INDEX "device_logs_mac_idx" ON "device_logs"("mac_address")`);
    await queryRunner.query(`CREATE INDEX "device_logs_created_at_idx" ON "device_logs"("created_at")`);
    await queryRunner.query(`CREATE TABLE "device_update_configurations" ("scope" citext NOT NULL, "log_clean_up_interval_seconds" integer NOT NULL, "log_flush_interval_seconds" integer NOT NULL, "max_log_cache_limit" bigint NOT NULL, "max_log_file_size" bigint NOT NULL, "log_clean_up_time_of_day" character varying(5), "valid_log_file_types" text array NOT NULL, "valid_log_file_extensions" text array NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ddee9b65e86d7ba9775a0eaf345" PRIMARY KEY ("scope"))`);
    await queryRunner.query(`CREATE TABLE "devices" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "device_key" character varying(200) NOT NULL, "mac_address" character varying(64), "serial_number" character varying(128), "device_type" citext NOT NULL, "brand" citext NOT NULL, "model" citext NOT NULL, "revision" citext NOT NULL, "locale" citext NOT NULL, "modules" jsonb NOT NULL, "is_test_device" boolean NOT NULL DEFAULT false, "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_node_id" character varying(63) NOT NULL, "last_address" character varying(64) NOT NULL, "last_user_id" text, CONSTRAINT "UQ_9cd096de70e9e11082af85a28e4" UNIQUE ("device_key"), CONSTRAINT "PK_b1514758245c12daf43486dd1f0" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "devices_last_seen_at_idx" ON "devices"("last_seen_at")`);
    await queryRunner.query(`CREATE INDEX "devices_model_idx" ON "devices"("model")`);
    await queryRunner.query(`CREATE TABLE "files" ("sha256" character(64) NOT NULL, "size" bigint NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f025e69a8fe158b0ad78de543b2" PRIMARY KEY ("sha256"))`);
    await queryRunner.query(`CREATE TABLE "packages" ("sha256" character(64) NOT NULL, "size" bigint NOT NULL, "object_key" text NOT NULL, "removed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_504a3b6965389cf4a6246fc17f3" PRIMARY KEY ("sha256"))`);
    await queryRunner.query(`CREATE TABLE "imports" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "package_sha256" character(64) NOT NULL, "file_name" text NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'queued', "error_code" character varying(64), "error_message" text, "uploaded_by" text NOT NULL, "node_id" character varying(63) NOT NULL, "attempts" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "replicated_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_ea10c62f5eb1d75e83d8b5225db" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "imports_package_sha256_key" ON "imports"("package_sha256")`);
    await queryRunner.query(`CREATE INDEX "imports_created_at_idx" ON "imports"("created_at")`);
    await queryRunner.query(`CREATE TABLE "phone_users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" citext NOT NULL, "password_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_f7831aca7a852f010a84fcb9615" UNIQUE ("user_id"), CONSTRAINT "PK_708c085db9da1984ebd36c61935" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "pool_nodes" ("id" character varying(63) NOT NULL, "url" text NOT NULL, "app_version" character varying(64) NOT NULL, "frontend_started_at" TIMESTAMP WITH TIME ZONE, "frontend_heartbeat_at" TIMESTAMP WITH TIME ZONE, "worker_started_at" TIMESTAMP WITH TIME ZONE, "worker_heartbeat_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_34dff5b41b877c903a24131dd64" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "replicas" ("node_id" character varying(63) NOT NULL, "sha256" character(64) NOT NULL, "state" character varying(16) NOT NULL, "attempts" integer NOT NULL DEFAULT '0', "last_error" text, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0237c4251033cdf3ef02602283b" PRIMARY KEY ("node_id", "sha256"))`);
    await queryRunner.query(`CREATE INDEX "replicas_sha256_idx" ON "replicas"("sha256")`);
    await queryRunner.query(`CREATE TABLE "request_audit" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "request_id" uuid NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "node_id" character varying(63) NOT NULL, "address" character varying(64) NOT NULL, "device_type" text NOT NULL, "mac_address" character varying(64), "serial_number" character varying(128), "vendor" text NOT NULL, "model" text NOT NULL, "revision" text NOT NULL, "locale" text NOT NULL, "request_modules" jsonb NOT NULL, "response_modules" jsonb NOT NULL, "user_id" text, "external" boolean NOT NULL, "status" smallint NOT NULL, CONSTRAINT "UQ_fa8ff18eb7701db16f170b114a0" UNIQUE ("request_id"), CONSTRAINT "PK_697dfdb1a8513c2fc3291e5d696" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "request_audit_serial_at_idx" ON "request_audit"("serial_number", "at")`);
    await queryRunner.query(`CREATE INDEX "request_audit_mac_at_idx" ON "request_audit"("mac_address", "at")`);
    await queryRunner.query(`CREATE INDEX "request_audit_at_idx" ON "request_audit"("at")`);
    await queryRunner.query(`CREATE TABLE "rules" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "device_type" citext NOT NULL, "brand" citext NOT NULL, "model" citext NOT NULL, "revision" citext NOT NULL, "locale" citext NOT NULL, "update_type" citext NOT NULL, "approved_version" character varying(64), "pending_version" character varying(64), "restore_version" character varying(64), "rolled_back_version" character varying(64), "approved_at" TIMESTAMP WITH TIME ZONE, "pending_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_10fef696a7d61140361b1b23608" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "rules_key_idx" ON "rules"("device_type", "brand", "model", "revision", "locale", "update_type")`);
    await queryRunner.query(`CREATE TABLE "test_devices" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "scope" citext NOT NULL, "name" citext NOT NULL, "identifier_type" character varying(16) NOT NULL, "identifier" citext NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e462853882844637ef4a6a55c16" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "test_devices_identifier_idx" ON "test_devices"("identifier")`);
    await queryRunner.query(`CREATE UNIQUE INDEX "test_devices_scope_name_key" ON "test_devices"("scope", "name")`);
    await queryRunner.query(`CREATE TABLE "update_versions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "rule_id" uuid NOT NULL, "version" character varying(64) NOT NULL, "import_id" uuid, "description" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2ed35aabee17c27857d1dc7e47e" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "update_versions_import_id_idx" ON "update_versions"("import_id")`);
    await queryRunner.query(`CREATE UNIQUE INDEX "update_versions_rule_version_key" ON "update_versions"("rule_id", "version")`);
    await queryRunner.query(`CREATE TABLE "update_version_files" ("update_version_id" uuid NOT NULL, "name" character varying(255) NOT NULL, "role" character varying(16) NOT NULL, "sha256" character(64) NOT NULL, CONSTRAINT "PK_114ba1211b45da759f9774d3896" PRIMARY KEY ("update_version_id", "name"))`);
    await queryRunner.query(`CREATE INDEX "update_version_files_sha256_idx" ON "update_version_files"("sha256")`);
    await queryRunner.query(`ALTER TABLE "imports" ADD CONSTRAINT "FK_4301261afc7d94c998388ce0395" FOREIGN KEY ("package_sha256") REFERENCES "packages"("sha256") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "replicas" ADD CONSTRAINT "FK_b081e062ad64bd4dc8d0ea45364" FOREIGN KEY ("node_id") REFERENCES "pool_nodes"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "replicas" ADD CONSTRAINT "FK_a69ce3d28e40a498062263e0ffa" FOREIGN KEY ("sha256") REFERENCES "files"("sha256") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "update_versions" ADD CONSTRAINT "FK_fa4e74f8cdaa5ec4f47700cd9cb" FOREIGN KEY ("rule_id") REFERENCES "rules"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "update_versions" ADD CONSTRAINT "FK_fa4b9bfeb9d143452dd2b34c7be" FOREIGN KEY ("import_id") REFERENCES "imports"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "update_version_files" ADD CONSTRAINT "FK_70f0199a235cc91bd650ec5c54f" FOREIGN KEY ("update_version_id") REFERENCES "update_versions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "update_version_files" ADD CONSTRAINT "FK_c87bbbecbe8ed93ca09ea0eccc0" FOREIGN KEY ("sha256") REFERENCES "files"("sha256") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "update_version_files"`);
    await queryRunner.query(`DROP TABLE "update_versions"`);
    await queryRunner.query(`DROP TABLE "replicas"`);
    await queryRunner.query(`DROP TABLE "imports"`);
    await queryRunner.query(`DROP TABLE "packages"`);
    await queryRunner.query(`DROP TABLE "files"`);
    await queryRunner.query(`DROP TABLE "rules"`);
    await queryRunner.query(`DROP TABLE "test_devices"`);
    await queryRunner.query(`DROP TABLE "device_update_configurations"`);
    await queryRunner.query(`DROP TABLE "admin_tokens"`);
    await queryRunner.query(`DROP TABLE "phone_users"`);
    await queryRunner.query(`DROP TABLE "admin_audit"`);
    await queryRunner.query(`DROP TABLE "request_audit"`);
    await queryRunner.query(`DROP TABLE "devices"`);
    await queryRunner.query(`DROP TABLE "device_logs"`);
    await queryRunner.query(`DROP TABLE "pool_nodes"`);
  }
}

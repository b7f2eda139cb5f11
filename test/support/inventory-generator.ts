/**
 * A device inventory of any size in one INSERT … SELECT generate_series, for the inventory suite,
 * the Inventory page's browser test and the inventory benchmark: 100,000 devices in seconds,
 * spread over the device kinds of the rules already in the database, with what a real pool's
 * inventory holds besides the plain cases (each choice a hash of the device's number, so the
 * same count gives the same inventory):
 *
 * - per rule, a device reports its approved version (most), its pending one, another one, the
 *   approved one spelled differently (leading zeros, or a trailing `.0` when it has fewer than four
 *   parts: the same version to the update check), a blank one, or no module of its update type;
 * - one in 20 devices spells its brand in lower case, one in 15 its update types; one in 50 is
 *   of a kind no rule has; one in 100 is a test device; one in 10 names itself by serial number;
 * - last seen within the last 60 days, from three nodes.
 *
 * `query` runs a statement (a pg Client's or a DataSource's `query`).
 */
export type Query = (sql: string, parameters?: unknown[]) => Promise<unknown>;

/**
 * Rules for the generator when the database has none of its own: 4 brands × 5 models × 2 locales,
 * each with a CPE and a UCM rule. Most have an approved version, every other one a pending one
 * too; model 5's CPE has nothing approved (only a pending version); the DEU UCM rules' versions have three
 * parts (`4.1.0`), so devices reporting `4.1.0.0` or `04.1.0` run them.
 */
export async function seedInventoryRules(query: Query): Promise<void> {
  await query(`
    INSERT INTO rules (device_type, brand, model, revision, locale, update_type, approved_version, pending_version, approved_at, pending_at)
    SELECT 'UCPhone', brand, brand || ' ' || model, 'A', locale, update_type, approved, pending,
           CASE WHEN approved IS NOT NULL THEN now() END, CASE WHEN pending IS NOT NULL THEN now() END
      FROM unnest(ARRAY['Polycom', 'Aastra', 'HP', 'Snom']) AS brand,
           generate_series(1, 5) AS model,
           unnest(ARRAY['ENU', 'DEU']) AS locale,
           unnest(ARRAY['CPE', 'UCM']) AS update_type,
           LATERAL (SELECT CASE WHEN locale = 'DEU' AND update_type = 'UCM' THEN '4.1.' || model ELSE '4.0.7577.' || (4400 + model) END AS base,
                           CASE WHEN locale = 'DEU' AND update_type = 'UCM' THEN '4.2.' || model ELSE '4.0.7577.' || (4500 + model) END AS next) b,
           LATERAL (SELECT CASE WHEN model = 5 AND update_type = 'CPE' THEN NULL ELSE b.base END AS approved,
                           CASE WHEN model % 2 = 1 THEN b.next END AS pending) v`);
}

export async function generateDevices(query: Query, count: number, options: { firstNumber?: number } = {}): Promise<void> {
  await query(GENERATE, [options.firstNumber ?? 1, count]);
  await query('ANALYZE devices');
}

/** A number in 0..999 from `value` (an integer expression), a different one for each salt. */
const pick = (value: string, salt: number) => `abs(hashint8((${value})::bigint * 16 + ${salt}) % 1000)`;

const GENERATE = `
WITH kinds AS (
  SELECT array_agg(rules ORDER BY device_type, brand, model, revision, locale) AS rules,
         array_agg(ARRAY[device_type, brand, model, revision, locale]::text[] ORDER BY device_type, brand, model, revision, locale) AS keys,
         count(*) AS n
    FROM (SELECT device_type::text, brand::text, model::text, revision::text, locale::text,
                 jsonb_agg(jsonb_build_object('t', update_type, 'a', approved_version, 'p', pending_version) ORDER BY update_type) AS rules
            FROM rules GROUP BY 1, 2, 3, 4, 5) k
), numbered AS (
  SELECT g, ${pick('g', 1)} AS kind_pick, ${pick('g', 2)} AS brand_case, ${pick('g', 3)} AS type_case, ${pick('g', 4)} AS test,
         ${pick('g', 5)} AS serial, ${pick('g', 6)} AS seen
    FROM generate_series($1::int, $1::int + $2::int - 1) AS g
), placed AS (
  SELECT n.*, CASE WHEN n.kind_pick < 20 OR k.n = 0 THEN NULL ELSE (n.g % k.n) + 1 END AS kind, k.keys, k.rules
    FROM numbered n, kinds k
)
INSERT INTO devices (device_key, mac_address, serial_number, device_type, brand, model, revision, locale, modules,
                     is_test_device, first_seen_at, last_seen_at, last_node_id, last_address, last_user_id)
SELECT CASE WHEN p.serial < 100 THEN 'serial:' || id.serial ELSE 'mac:' || id.mac END,
       CASE WHEN p.serial < 100 THEN NULL ELSE id.mac END,
       CASE WHEN p.serial < 100 THEN id.serial END,
       COALESCE(p.keys[p.kind][1], 'UCPhone'),
       CASE WHEN p.brand_case < 50 THEN lower(COALESCE(p.keys[p.kind][2], 'Unruled')) ELSE COALESCE(p.keys[p.kind][2], 'Unruled') END,
       COALESCE(p.keys[p.kind][3], 'NoRule ' || (p.g % 7)),
       COALESCE(p.keys[p.kind][4], 'A'),
       COALESCE(p.keys[p.kind][5], 'ENU'),
       COALESCE((SELECT jsonb_agg(jsonb_build_object(
                   'updateType', CASE WHEN p.type_case < 67 THEN lower(r->>'t') ELSE r->>'t' END,
                   'version', CASE
                     WHEN c < 600 THEN COALESCE(r->>'a', '4.0.1.' || (c % 3))
                     WHEN c < 700 THEN COALESCE(r->>'p', r->>'a', '4.0.1.9')
                     WHEN c < 800 THEN '3.9.0.' || (c % 3)
                     WHEN c < 850 THEN CASE WHEN r->>'a' IS NULL THEN '3.8'
                                            WHEN array_length(string_to_array(r->>'a', '.'), 1) < 4 THEN (r->>'a') || '.0'
                                            ELSE regexp_replace(r->>'a', '^([0-9]+)', '0\\1') END
                     ELSE '' END) ORDER BY o)
                   FROM jsonb_array_elements(p.rules[p.kind]) WITH ORDINALITY AS e(r, o),
                        LATERAL (SELECT ${pick('p.g * 16 + o', 7)} AS c) chosen
                  WHERE c < 900),
                '[{"updateType": "CPE", "version": "1.0.0.1"}]'::jsonb),
       p.test < 10,
       now() - interval '90 days',
       now() - (p.seen * 86.4 * 60 + p.g % 86) * interval '1 second',
       'node-' || (p.g % 3 + 1),
       '10.' || (p.g / 65536 % 256) || '.' || (p.g / 256 % 256) || '.' || (p.g % 256),
       CASE WHEN p.g % 4 = 0 THEN 'sip:user' || p.g || '@contoso.com' END
  FROM placed p,
       LATERAL (SELECT upper(lpad(to_hex(p.g), 12, '0')) AS hex) x,
       LATERAL (SELECT concat_ws('-', substr(x.hex, 1, 2), substr(x.hex, 3, 2), substr(x.hex, 5, 2), substr(x.hex, 7, 2),
                                 substr(x.hex, 9, 2), substr(x.hex, 11, 2)) AS mac,
                       'SN' || x.hex AS serial) id`;

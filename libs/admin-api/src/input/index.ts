import { formatTimeSpan, parseTimeSpan, RANGES } from '@ucupdates/device-config';
import { isRuleKeyField, isValidControllerId, isValidSerialNumber, normaliseMac, RuleError } from '@ucupdates/rules';
import { z } from 'zod';
import { PAGE_LIMIT } from '../page';
import { ROLES } from '../roles';
import { DDI_ACTION_STATUSES, IDENTIFIER_TYPES, type IdentifierType, NODE_ID_FORM, NODE_ID_PATTERN } from '../views';

/**
 * What the admin API takes (admin-api.md), as zod schemas: the frontend parses every query, body
 * and path with them (a refusal is a 400 naming the field), and its OpenAPI document is made from
 * them. Queries are strict: a field the route does not know (a misspelt filter) is refused by name,
 * never ignored. A subpath of the contract (`@ucupdates/admin-api/input`), so the clients that only
 * read views do not take zod with them.
 */

// Shared pieces

/** `?limit=` (default 100, at most 1000) and `?cursor=` of every list. */
export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(PAGE_LIMIT.max).default(PAGE_LIMIT.default),
  cursor: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, 'is not a cursor this API gave')
    .optional(),
});

/** A resource's id in the path. */
export const idParams = z.object({ id: z.uuid() });

/** A scope of test devices and configuration: `global` or `site:<name>`. */
export const scope = z
  .string()
  .regex(/^(global|site:[A-Za-z0-9][A-Za-z0-9._-]{0,62})$/i, 'must be "global" or "site:<name>"')
  .transform((value) => (value.toLowerCase() === 'global' ? 'global' : `site:${value.slice(5)}`));

/** A moment with its offset (ISO 8601). */
const instant = z.iso.datetime({ offset: true });

/** Any MAC form a person types (`00:04:f2:ab:cd:ef`, `0004F2ABCDEF`), as the rows hold it. */
const macAddress = z
  .string()
  .max(64)
  .transform((text, context) => {
    try {
      return normaliseMac(text.trim());
    } catch (error) {
      if (!(error instanceof RuleError)) {
        throw error;
      }
      context.addIssue({ code: 'custom', message: `is not a MAC address (${error.message})` });
      return z.NEVER;
    }
  });

// Rules

const filterValue = z.string().min(1).max(64);

export const ruleListQuery = pageQuery.extend({
  deviceType: filterValue.optional(),
  brand: filterValue.optional(),
  model: filterValue.optional(),
  revision: filterValue.optional(),
  locale: filterValue.optional(),
  updateType: filterValue.optional(),
});

/** `?force=true`: an approval while a node lacks a file, a node's removal while it still beats. */
export const forceQuery = z.strictObject({
  force: z.stringbool({ truthy: ['true', '1'], falsy: ['false', '0'] }).default(false),
});

// Nodes

/** A node's id in the path: UCU_NODE_ID's form. */
export const nodeParams = z.object({
  id: z.string().regex(NODE_ID_PATTERN, `is not a node id (${NODE_ID_FORM})`),
});

// Imports

export const importParams = z.object({ importId: z.uuid() });

// Test devices

export const testDeviceListQuery = pageQuery.extend({ scope: scope.optional() });

const testDeviceFields = {
  scope,
  name: z.string().trim().min(1, 'must not be empty').max(128),
  identifierType: z.enum(IDENTIFIER_TYPES),
  identifier: z.string().trim().min(1, 'must not be empty').max(64),
};

/**
 * Lync's identifier rules: a MAC address is six or more hex pairs, joined or separated by `-` or
 * `:` (stored upper-case joined by `-`); a serial number is letters, digits, `-` and `_`. A DDI
 * device's controller id is ddi.md's: 1-64 letters, digits, `.`, `_`, `-` and `:`.
 */
function checkIdentifier<T extends { identifierType?: IdentifierType; identifier?: string }>(input: T, context: z.RefinementCtx): T {
  if (input.identifierType === undefined || input.identifier === undefined) {
    return input;
  }
  if (input.identifierType === 'MACAddress') {
    try {
      return { ...input, identifier: normaliseMac(input.identifier) };
    } catch (error) {
      context.addIssue({
        code: 'custom',
        path: ['identifier'],
        message: `is not a valid MAC address: use six or more pairs of hexadecimal digits, joined or separated by "-" or ":" (${(error as RuleError).message})`,
      });
      return input;
    }
  }
  const [isValid, what] = KEPT_AS_GIVEN[input.identifierType];
  if (!isValid(input.identifier)) {
    context.addIssue({ code: 'custom', path: ['identifier'], message: `is not a valid ${what}` });
  }
  return input;
}

/** The identifiers stored as given: their check, and what the refusal says. */
const KEPT_AS_GIVEN: Record<Exclude<IdentifierType, 'MACAddress'>, [(text: string) => boolean, string]> = {
  SerialNumber: [isValidSerialNumber, 'serial number: use letters, digits, "-" and "_" only'],
  ControllerId: [isValidControllerId, 'controller id: use 1-64 letters, digits, ".", "_", "-" and ":"'],
};

export const createTestDevice = z.strictObject(testDeviceFields).transform(checkIdentifier);

/** A change names what changes; the identifier is checked against the type it will have. */
export const updateTestDevice = z
  .strictObject({
    scope: testDeviceFields.scope.optional(),
    name: testDeviceFields.name.optional(),
    identifierType: testDeviceFields.identifierType.optional(),
    identifier: testDeviceFields.identifier.optional(),
  })
  .refine((value) => Object.keys(value).length > 0, { message: 'name at least one field to change' });

// Device update configuration

/** A TimeSpan text within a range, as seconds. */
const timeSpan = (range: { min: number; max: number }) =>
  z.string().transform((text, context) => {
    const seconds = parseTimeSpan(text);
    if (seconds === null || seconds < range.min || seconds > range.max) {
      context.addIssue({
        code: 'custom',
        message: `must be a time span (d.hh:mm:ss) from ${formatTimeSpan(range.min)} to ${formatTimeSpan(range.max)}`,
      });
      return z.NEVER;
    }
    return seconds;
  });

export const configurationChanges = z
  .strictObject({
    logCleanUpInterval: timeSpan(RANGES.logCleanUpIntervalSeconds).optional(),
    logFlushInterval: timeSpan(RANGES.logFlushIntervalSeconds).optional(),
    maxLogCacheLimit: z.number().int().min(1).max(1e12).optional(),
    maxLogFileSize: z.number().int().min(1).max(1e12).optional(),
    logCleanUpTimeOfDay: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day, HH:MM')
      .nullable()
      .optional(),
    validLogFileTypes: z.array(z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be a log type name')).min(1).max(32).optional(),
    validLogFileExtensions: z
      .array(z.string().regex(/^\.[A-Za-z0-9]{1,16}$/, 'must be an extension such as ".txt"').toLowerCase())
      .min(1)
      .max(64)
      .optional(),
    ddiPollingInterval: timeSpan(RANGES.ddiPollingIntervalSeconds).optional(),
  })
  .transform(({ logCleanUpInterval, logFlushInterval, ddiPollingInterval, ...rest }) => ({
    ...rest,
    ...(logCleanUpInterval === undefined ? {} : { logCleanUpIntervalSeconds: logCleanUpInterval }),
    ...(logFlushInterval === undefined ? {} : { logFlushIntervalSeconds: logFlushInterval }),
    ...(ddiPollingInterval === undefined ? {} : { ddiPollingIntervalSeconds: ddiPollingInterval }),
  }));

export const scopeParams = z.object({ scope });

// Inventory, audit, device logs

/** The inventory's filters: the device list, its summary, compliance and the exports take them alike. */
const deviceFilters = {
  model: z.string().min(1).max(200).optional().describe('the model, compared case-insensitively'),
  brand: z.string().min(1).max(200).optional().describe("the brand (the request's Vendor), compared case-insensitively"),
  version: z.string().min(1).max(64).optional().describe('devices with any module at this version, exactly as reported'),
  seenSince: instant.optional().describe('devices last seen at or after this time (ISO 8601 with its offset)'),
};

const complianceFilters = {
  ...deviceFilters,
  ruleId: z.uuid().optional().describe('only devices behind on this rule'),
};

export const deviceListQuery = pageQuery.extend(deviceFilters);

/** The summary and the inventory export: the filters, no page. */
export const deviceFilterQuery = z.strictObject(deviceFilters);

export const deviceComplianceQuery = pageQuery.extend(complianceFilters);

export const deviceComplianceExportQuery = z.strictObject(complianceFilters);

export const requestAuditListQuery = pageQuery.extend({
  since: instant.optional().describe('checks at or after this time (ISO 8601 with its offset)'),
  until: instant.optional().describe('checks before this time'),
  macAddress: macAddress.optional().describe("the device's MAC address, in any of its forms"),
  serialNumber: z.string().min(1).max(128).optional().describe("the device's serial number, exactly"),
  nodeId: z.string().min(1).max(63).optional().describe('the node that answered'),
  controllerId: z.string().refine(isValidControllerId, 'must be a controller id').optional().describe("a DDI device's controller id"),
});

/** A node id as UCU_NODE_ID allows it: it becomes part of the export's file name. */
const nodeIdQuery = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be a node id: 1-63 letters, digits, ".", "_" or "-"');

export const requestAuditExportQuery = z.strictObject({
  date: z.iso.date().describe('the day, in UTC: YYYY-MM-DD'),
  nodeId: nodeIdQuery.optional().describe('only the checks this node answered (the file Lync wrote per server); all nodes when absent'),
});

export const adminAuditListQuery = pageQuery.extend({
  since: instant.optional(),
  until: instant.optional(),
  actor: z.string().min(1).max(128).optional(),
  action: z.string().min(1).max(64).optional(),
  target: z.string().min(1).max(200).optional(),
  subject: z.string().min(1).max(400).optional().describe('what was changed, as the entries name it (a rule key, scope/name…), case-insensitive'),
});

export const deviceLogListQuery = pageQuery.extend({
  macAddress: macAddress.optional().describe("the device's MAC address, in any of its forms"),
  serialNumber: z.string().min(1).max(128).optional().describe("the device's serial number, exactly"),
  deviceType: z.string().min(1).max(64).optional().describe('the device type (X-UC-DeviceType), case-insensitive'),
  logType: z.string().min(1).max(64).optional().describe('Watson, CELog, … (case-insensitive)'),
  since: instant.optional().describe('uploaded at or after this time (ISO 8601 with its offset)'),
  until: instant.optional().describe('uploaded before this time'),
});

// Access

export const createToken = z.strictObject({
  // `ldap:` names directory users in the audit (docs/directory.md): no token may look like one.
  name: z
    .string()
    .trim()
    .min(1)
    .max(128)
    .refine((name) => !/^ldap:/i.test(name), 'must not start with "ldap:", which names directory users in the audit'),
  role: z.enum(ROLES),
});

export const createPhoneUser = z.strictObject({
  userId: z
    .string()
    .trim()
    .max(256)
    .regex(/^sip:[^@\s:;]+@[A-Za-z0-9.-]+$/i, 'must be a SIP address, such as sip:alice@contoso.com'),
  password: z.string().min(8, 'must be at least 8 characters').max(256),
});

/** An admin token, or a directory user name and password (docs/directory.md). */
export const signInBody = z
  .strictObject({
    token: z.string().min(16).max(512).optional().describe('an admin API token'),
    user: z.string().min(1).max(256).optional().describe('a directory user name (instead of a token)'),
    password: z.string().min(1).max(1024).optional().describe("the directory user's password"),
  })
  .superRefine((body, context) => {
    if (body.token !== undefined && (body.user !== undefined || body.password !== undefined)) {
      context.addIssue({ code: 'custom', path: ['token'], message: 'give a token, or a user and password, not both' });
    } else if (body.token === undefined && body.user === undefined) {
      context.addIssue({ code: 'custom', path: ['token'], message: 'give a token, or a user and password' });
    } else if (body.user !== undefined && body.password === undefined) {
      context.addIssue({ code: 'custom', path: ['password'], message: "the directory user's password is required" });
    }
  });

// DDI targets (ddi.md)

const controllerId = z
  .string()
  .refine(isValidControllerId, 'must be a controller id: 1-64 letters, digits, ".", "_", "-" and ":"');

/** An attribute a rule key is made of (libs/rules ddiDeviceKind): a value no rule could hold would match none. */
const ruleAttribute = z.string().refine(isRuleKeyField, 'must be 1-64 letters, digits, ".", "_" or "-", as a rule key field');

export const ddiTargetParams = z.object({ controllerId });

export const createDdiTarget = z.strictObject({
  controllerId,
  attributes: z.strictObject({
    vendor: ruleAttribute.describe("the rule's Brand"),
    model: ruleAttribute.describe("the rule's Model"),
    hwRevision: ruleAttribute.describe("the rule's Revision"),
    locale: ruleAttribute.optional().describe("the rule's Locale; Neutral when absent"),
  }),
});

export const ddiTargetListQuery = pageQuery.extend({
  vendor: filterValue.optional().describe('devices of this vendor, compared case-insensitively'),
  model: filterValue.optional().describe('devices of this model, compared case-insensitively'),
  hwRevision: filterValue.optional().describe('devices of this hardware revision, compared case-insensitively'),
  installedVersion: z.string().min(1).max(64).optional().describe('devices that installed this version (any update type), exactly as the inventory holds it'),
  seenSince: instant.optional().describe('devices whose last request (poll, configData, feedback) came at or after this time (ISO 8601 with its offset)'),
});

// DDI actions (ddi.md)

export const ddiActionListQuery = pageQuery.extend({
  controllerId: controllerId.optional().describe("one device's actions"),
  status: z.enum(DDI_ACTION_STATUSES).optional().describe('actions in this status'),
});

export const ddiActionParams = z.object({ id: z.string().regex(/^[1-9][0-9]{0,17}$/, 'is not an action id') });

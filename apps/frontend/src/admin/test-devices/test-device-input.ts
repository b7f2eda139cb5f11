import { TestDeviceIdentifierType } from '@ucupdates/database';
import { isValidSerialNumber, normaliseMac, RuleError } from '@ucupdates/rules';
import { z } from 'zod';
import { scope } from '../scope';

const fields = {
  scope,
  name: z.string().trim().min(1, 'must not be empty').max(128),
  identifierType: z.enum([TestDeviceIdentifierType.MacAddress, TestDeviceIdentifierType.SerialNumber]),
  identifier: z.string().trim().min(1, 'must not be empty').max(64),
};

/**
 * Lync's identifier rules: a MAC address is six or more hex pairs, joined or separated by `-` or
 * `:` (stored upper-case joined by `-`); a serial number is letters, digits, `-` and `_`.
 */
function checkIdentifier<T extends { identifierType?: TestDeviceIdentifierType; identifier?: string }>(
  input: T,
  context: z.RefinementCtx,
): T {
  if (input.identifierType === undefined || input.identifier === undefined) {
    return input;
  }
  if (input.identifierType === TestDeviceIdentifierType.MacAddress) {
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
  if (!isValidSerialNumber(input.identifier)) {
    context.addIssue({
      code: 'custom',
      path: ['identifier'],
      message: 'is not a valid serial number: use letters, digits, "-" and "_" only',
    });
  }
  return input;
}

export const createTestDevice = z.strictObject(fields).transform(checkIdentifier);

/** A change names what changes; the identifier is checked against the type it will have. */
export const updateTestDevice = z
  .strictObject({
    scope: fields.scope.optional(),
    name: fields.name.optional(),
    identifierType: fields.identifierType.optional(),
    identifier: fields.identifier.optional(),
  })
  .refine((value) => Object.keys(value).length > 0, { message: 'name at least one field to change' });

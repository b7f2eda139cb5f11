import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiQuery } from '@nestjs/swagger';
import { z } from 'zod';

/**
 * The OpenAPI document is generated from the code: routes from the controllers (by
 * @nestjs/swagger), bodies and queries from the same zod schemas that check them.
 */
function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

export const ApiJsonBody = (schema: z.ZodType) => ApiBody({ schema: jsonSchema(schema) });

export function ApiQueryOf(schema: z.ZodType): MethodDecorator {
  const { properties = {}, required = [] } = jsonSchema(schema) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return applyDecorators(
    ...Object.entries(properties).map(([name, property]) => ApiQuery({ name, required: required.includes(name), schema: property })),
  );
}

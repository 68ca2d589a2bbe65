import { z } from 'zod';

/** A decimal id as the platform sends it (a string in forms, sometimes a number in JSON). */
export const idField = z.union([
  z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  z
    .string()
    .regex(/^\d{1,15}$/, 'must be a decimal id')
    .transform(Number),
]);

/** A positive decimal id. */
export const positiveIdField = idField.refine((value) => value > 0, 'must be positive');

/** `Y`/`N` flags (v1) or `"1"`/`"0"`/`true`/`false` (v2); anything else, or nothing, is "no". */
export const flagField = z
  .union([z.string(), z.number(), z.boolean(), z.null()])
  .optional()
  .transform(
    (value) =>
      value === 'Y' || value === 'y' || value === '1' || value === 1 || value === true || value === 'true',
  );

/** A short text field: a string, or a number sent as one. */
export const textField = (max: number) => z.union([z.string().max(max), z.number().transform(String)]);

/** An optional field whose `null` (JSON) means "none". */
export const optionalField = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === null ? undefined : value), schema.optional());

/** An optional positive id where v2 webhooks send `""` (and JSON may send `null`) for "none". */
export const optionalPositiveIdField = z.preprocess(
  (value) => (value === '' || value === null ? undefined : value),
  positiveIdField.optional(),
);

/** An optional decimal id (`0` allowed) where webhooks send `""` (and JSON may send `null`) for "none". */
export const optionalIdField = z.preprocess(
  (value) => (value === '' || value === null ? undefined : value),
  idField.optional(),
);

/**
 * An optional flag: `undefined` when the payload does not carry it (or carries `""` / `null`),
 * else read as `flagField` reads it. Lets an event say "not a system message" only when the
 * platform said so.
 */
export const optionalFlagField = z
  .union([z.string().max(16), z.number(), z.boolean(), z.null()])
  .optional()
  .transform((value) =>
    value === undefined || value === null || value === ''
      ? undefined
      : value === 'Y' || value === 'y' || value === '1' || value === 1 || value === true || value === 'true',
  );

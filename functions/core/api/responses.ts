// The contract's JSON answers, as zod schemas: every answer is checked before it is used.
import * as z from 'zod';

export const authResponse = z.object({ token: z.string().min(1) });

const attribute = z.object({
  primary_key: z.boolean().optional().default(false),
  foreign_key: z.boolean().optional().default(false),
  type: z.string().min(1),
});

export const schemaResponse = z.object({
  resources: z.record(
    z.string().min(1),
    z.object({
      // The exact values are unknown beyond a list of strings (contract, section 2).
      allowedQueryModes: z.array(z.string()).optional(),
      attributes: z.array(z.record(z.string(), attribute).refine((entry) => Object.keys(entry).length === 1, 'each attribute is an object with exactly one key')).min(1),
    }),
  ),
});

// The reference client reads total_items at the top level; its README says payload.total_items.
export const stateResponse = z.union([
  z.object({ total_items: z.number().int().nonnegative() }),
  z.object({ payload: z.object({ total_items: z.number().int().nonnegative() }) }),
]).transform((state) => ('payload' in state ? state.payload.total_items : state.total_items));

export type SchemaResponse = z.infer<typeof schemaResponse>;

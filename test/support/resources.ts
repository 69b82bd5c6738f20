// Resources the tests define rather than read from a schema.
import type { Resource } from '../../functions/core/resources.ts';

/** The least a resource holds: its key and the two timestamps every line carries. */
export const keyAndTimes: Resource = {
  name: 'things',
  attributes: [
    { name: 'id', type: 'int64', primaryKey: true },
    { name: 'created_at', type: 'time', primaryKey: false },
    { name: 'updated_at', type: 'time', primaryKey: false },
  ],
};

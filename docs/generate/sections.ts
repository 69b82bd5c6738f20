// Every section of the docs that copies the code, with the source it is rendered from. A page
// holds one between `<!-- name:start -->` and `<!-- name:end -->`; npm run docs rewrites them all.
import { readFile } from 'node:fs/promises';
import { environment } from '../../functions/core/config.ts';
import { executionFields } from '../../functions/core/messages.ts';
import { columnType, TYPES } from '../../functions/core/db/column-types.ts';
import { LOG_LEVEL_VARIABLE } from '../../functions/core/telemetry/logging.ts';
import { contextFields } from '../../infra/context.ts';
import type { AslScope } from '../../statemachine/local/definition.ts';
import { renderMermaid } from '../../statemachine/local/diagram.ts';
import { renderFaultTable } from '../../test/support/fault-matrix.ts';
import type { Section } from './pages.ts';
import { columnTypeTable, errorDocs, errorTable, settingsTable } from './tables.ts';

const ASL = 'statemachine/sync.asl.json';
const ERRORS = 'functions/core/errors.ts';

const read = (file: string) => readFile(new URL(`../../${file}`, import.meta.url), 'utf8');
const definition = async () => JSON.parse(await read(ASL)) as AslScope;

export const SECTIONS: Section[] = [
  {
    name: 'diagram',
    source: ASL,
    render: async () => `\`\`\`mermaid\n${renderMermaid(await definition())}\`\`\`\n`,
  },
  {
    name: 'configuration-variables',
    source: 'the schema in functions/core/config.ts (and FOCUS_LOG_LEVEL in functions/core/telemetry/logging.ts)',
    render: async () => settingsTable('variable', { ...environment.shape, ...LOG_LEVEL_VARIABLE }),
  },
  {
    name: 'execution-input',
    source: 'executionFields in functions/core/messages.ts',
    render: async () => settingsTable('field', executionFields.shape),
  },
  {
    name: 'context-keys',
    source: 'the schema in infra/context.ts',
    render: async () => settingsTable('context key', contextFields.shape),
  },
  {
    name: 'errors',
    source: `${ERRORS} (meaning) and the Retry of ${ASL} (retried)`,
    render: async () => errorTable(errorDocs(await read(ERRORS), ERRORS), await definition()),
  },
  {
    name: 'column-types',
    source: 'TYPES in functions/core/db/column-types.ts',
    render: async () => columnTypeTable(TYPES, columnType('a type the contract does not name')),
  },
  {
    name: 'fault-matrix',
    source: 'test/support/fault-matrix.ts',
    render: async () => renderFaultTable(),
  },
];

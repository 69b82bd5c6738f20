// Every alarm the stack creates has its runbook in docs/aws.md: what it means, the first query,
// the fix. An alarm added without one fails here.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourcesOf, synthesize, type Synthesized } from './synth.ts';

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize({}, { bundle: false });
});
afterAll(() => synth?.remove());

describe('docs/aws.md', () => {
  it('has a runbook for every alarm the stack creates: what it means, the first query, the fix', async () => {
    const page = await readFile(new URL('../../docs/aws.md', import.meta.url), 'utf8');
    const alarms = resourcesOf(synth.json, 'AWS::CloudWatch::Alarm').map(([, alarm]) => String(alarm.Metadata?.['aws:cdk:path']).split('/').at(-2)!);
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      const section = new RegExp(`^### ${alarm}\\n([\\s\\S]*?)(?=^##|(?![\\s\\S]))`, 'm').exec(page)?.[1];
      expect(section, `docs/aws.md has no "### ${alarm}" section: write its runbook under Alarms`).toBeDefined();
      for (const part of ['**Means**', '**First query**', '**Fix**']) expect(section, `${alarm}'s runbook in docs/aws.md lacks ${part}`).toContain(part);
      expect(page, `${alarm} is not in the table of alarms in docs/aws.md`).toContain(`| [\`${alarm}\`](#${alarm.toLowerCase()}) |`);
    }
  });
});

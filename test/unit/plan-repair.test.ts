import { describe, expect, it } from 'vitest';
import type { OutOfSync } from '../../functions/core/messages.ts';
import { planRepair } from '../../functions/core/pair-sync.ts';

const compare = { clientCount: 9, serverCount: 10, inSync: false, message: 'promotions/de is out of sync' };
const base: OutOfSync = {
  resource: 'promotions', country: 'de', mode: 'auto', onOutOfSync: 'delta-then-full', execution: 'run-1',
  load: 'delta', watermark: '2025-07-01T00:00:00.000001',
  applied: { loaded: 3, deleted: 1, watermark: '2025-07-02T00:00:00.000002' }, server: { totalItems: 10 }, compare,
};

describe('planRepair', () => {
  it('first runs the delta again from the watermark the pass started from', () => {
    expect(planRepair(base)).toMatchObject({ load: 'delta', watermark: '2025-07-01T00:00:00.000001', repairs: [{ load: 'delta', clientCount: 9, serverCount: 10 }] });
  });

  it('then reloads in full, then gives up, keeping every pass', () => {
    const second = planRepair({ ...base, repairs: [{ load: 'delta', clientCount: 9, serverCount: 10 }] });
    expect(second).toMatchObject({ load: 'full', repairs: [{ load: 'delta' }, { load: 'delta' }] });
    const third = planRepair({ ...base, load: 'full', repairs: second.repairs });
    expect(third).toMatchObject({ load: 'none', reason: 'out of sync after 3 passes', compare });
  });

  it('after a first full load, runs the delta from the watermark that load reached', () => {
    expect(planRepair({ ...base, load: 'full', watermark: null })).toMatchObject({ load: 'delta', watermark: '2025-07-02T00:00:00.000002' });
  });

  it('goes straight to a full reload when there is no watermark at all', () => {
    expect(planRepair({ ...base, load: 'full', watermark: null, applied: { ...base.applied, watermark: null } })).toMatchObject({ load: 'full' });
  });

  it('follows the pair\'s policy: only a full reload, or nothing', () => {
    expect(planRepair({ ...base, onOutOfSync: 'full' }).load).toBe('full');
    expect(planRepair({ ...base, onOutOfSync: 'full', repairs: [{ load: 'delta', clientCount: 9, serverCount: 10 }] }).load).toBe('none');
    expect(planRepair({ ...base, onOutOfSync: 'none' }).load).toBe('none');
  });
});

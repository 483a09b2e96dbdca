import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../server/stores/sqlite-store.ts';
import { newRecord, settled, startRig, type Rig } from './dispatch-harness.ts';

describe('dispatcher: records another process inserted', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('finds records written by another connection (the import command) without an insert wake-up', async () => {
    rig = await startRig({ dispatcher: { idlePollMs: 200 } });
    rig.dispatcher.start();
    // A second store on the same file, as `iys-consent import` opens: its inserts do not reach the
    // dispatcher's onInsert, so only the idle poll can find them.
    const other = new SqliteStore((rig.store as SqliteStore).path);
    await other.init();
    const now = Date.now();
    await other.insert([newRecord({ now }), newRecord({ now })]);
    await other.close();
    const counts = await settled(rig.store, 15_000);
    expect(counts).toMatchObject({ pending: 0, registered: 2 });
    expect(rig.sandbox.state.records()).toHaveLength(2);
  });
});

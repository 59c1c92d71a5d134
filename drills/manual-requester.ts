import type { Drill } from './harness';

export const manualRequester: Drill = {
  name: 'manual-requester',
  timeoutMs: 60_000,
  async run() {
    return { tries: 0, failures: ['not written yet'], notes: [] };
  },
};

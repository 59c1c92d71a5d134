import type { Drill } from './harness';

export const forgedClicks: Drill = {
  name: 'forged-clicks',
  timeoutMs: 60_000,
  async run() {
    return { tries: 0, failures: ['not written yet'], notes: [] };
  },
};

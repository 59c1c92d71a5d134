import type { Drill } from './harness';

export const racingClicks: Drill = {
  name: 'racing-clicks',
  timeoutMs: 60_000,
  async run() {
    return { tries: 0, failures: ['not written yet'], notes: [] };
  },
};

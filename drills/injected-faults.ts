import type { Drill } from './harness';

export const injectedFaults: Drill = {
  name: 'injected-faults',
  timeoutMs: 60_000,
  async run() {
    return { tries: 0, failures: ['not written yet'], notes: [] };
  },
};

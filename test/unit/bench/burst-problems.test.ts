import { describe, expect, it } from 'vitest';
import { burstProblems, type BurstReport } from '../../../bench/burst';

/** A burst where every exposure closed exactly once. */
const clean: BurstReport = {
  findings: 10,
  duplicates: 1,
  distinctFindings: 9,
  distinctExposures: 3,
  resourcesByKind: { s3: 3 },
  eventsBySource: { 'access-analyzer': 10 },
  startWindowMs: 10,
  wallMs: 1000,
  closedPerSecond: 10,
  executionMs: { median: 1, p95: 1, min: 1, max: 1, n: 10 },
  outcomes: { RESOLVED: 3, DUPLICATE: 6, IGNORED: 1 },
  failureCauses: [],
  unfinished: 0,
  resourcesChanged: 3,
  changeRecords: 3,
  resourcesWritten: 3,
  resourceWriteCalls: 3,
  strayWrites: 0,
  awsCalls: 50,
  lambdaInvocations: 30,
  lambdaTimeouts: 0,
  slotWaitMs: { median: 0, p95: 0, min: 0, max: 0, n: 30 },
  stillOpen: [],
  peakRssMiB: { host: 1, moto: 1, motoHighWater: 1 },
};

describe('what the burst bench fails on', () => {
  it('finds nothing wrong when every exposure was changed once and closed', () => {
    expect(burstProblems(clean)).toEqual([]);
  });

  it('names a mismatch between resources changed and distinct exposures', () => {
    expect(burstProblems({ ...clean, resourcesChanged: 2 })).toEqual(['MISMATCH: 2 resources changed for 3 distinct exposures']);
  });

  it('names exposures still open, executions still running, failed executions and stray writes', () => {
    const problems = burstProblems({ ...clean, stillOpen: ['arn:aws:s3:::b'], unfinished: 2, outcomes: { ...clean.outcomes, 'FAILED Sandbox.Timedout': 4 }, strayWrites: 1 });
    expect(problems).toEqual([
      '1 of 3 exposures still open after the burst',
      '2 executions still running when the bench stopped waiting',
      'executions that did not end as designed: FAILED Sandbox.Timedout 4',
      '1 writes to resources outside the burst',
    ]);
  });
});

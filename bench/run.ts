/**
 * `npm run bench`: every benchmark, printing figures. Exit 2 when a benchmark cannot run.
 */
import { runPolicyBenchmark } from './policy-analyzer';

const n = Number(process.env.BENCH_POLICIES ?? 100_000);
const policy = runPolicyBenchmark(n);
if (policy === null) process.exit(2);

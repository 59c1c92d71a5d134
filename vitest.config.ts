import { defineConfig } from 'vitest/config';

/**
 * Four projects, run in this order by `npm test`:
 * - unit: no network, no emulator;
 * - emulator: real AWS API calls against the local moto server;
 * - workflow: the ASL itself, executed by the emulator's Step Functions with our handlers;
 * - deploy: asl-validator and `serverless package` with assertions on the CloudFormation.
 */
export default defineConfig({
  test: {
    // Handlers log as on Lambda; tests assert on behaviour. POWERTOOLS_LOG_LEVEL=INFO npm test shows the logs.
    env: { POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'emulator',
          include: ['test/emulator/**/*.test.ts'],
          globalSetup: ['test/support/local-stack-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'workflow',
          include: ['test/workflow/**/*.test.ts'],
          globalSetup: ['test/support/local-stack-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      { test: { name: 'deploy', include: ['test/deploy/**/*.test.ts'], testTimeout: 120_000 } },
    ],
  },
});

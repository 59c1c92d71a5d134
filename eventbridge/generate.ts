/**
 * Writes eventbridge/patterns.json — the EventBridge rules serverless.yml
 * deploys — from eventbridge/patterns.ts. The deployment's own account and
 * region become CloudFormation references (resolved at deploy time, so
 * `serverless package` stays offline); the home region comes from the rules
 * file through the `homeRegion` parameter. A deploy test fails while the file
 * and the patterns disagree: run `npm run generate:patterns` after a change.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildEventPatterns } from './patterns';

const ACCOUNT = '__REMEDIATOR_ACCOUNT_ID__';
const REGION = '__REMEDIATOR_REGION__';

export function deployablePatterns(): unknown {
  const text = JSON.stringify(buildEventPatterns({ accountId: ACCOUNT, region: REGION, homeRegion: '${param:homeRegion}' }));
  return JSON.parse(
    text.replaceAll(`"${ACCOUNT}"`, JSON.stringify({ Ref: 'AWS::AccountId' })).replaceAll(`"${REGION}"`, JSON.stringify({ Ref: 'AWS::Region' })),
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const target = fileURLToPath(new URL('./patterns.json', import.meta.url));
  writeFileSync(target, `${JSON.stringify(deployablePatterns(), null, 2)}\n`);
  process.stdout.write(`wrote ${target}\n`);
}

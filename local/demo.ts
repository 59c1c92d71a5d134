import { AwsClients } from '../lib/aws/clients';
/**
 * npm run demo — the main job on the local stack, start to finish:
 *  1. a public bucket is fixed automatically (deny-all + Block Public Access), verified, notified;
 *  2. a production bucket waits for a human: a forged Slack click is refused,
 *     a correctly signed Approve resumes the workflow, which fixes and verifies it;
 *  3. a fix that does not take (the bucket is re-opened): re-checked, escalated to on-call, acknowledged.
 * Exits 0 when all end as expected, non-zero otherwise.
 */
import { DeletePublicAccessBlockCommand, GetBucketPolicyCommand, GetPublicAccessBlockCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { COLOURED, PLAIN, formatEntry } from '../cli/timeline';
import { AuditStore } from '../lib/audit/store';
import { SLACK_BUTTONS } from '../lib/escalation/messages';
import { accessAnalyzerEvent, createBucketWithPolicy, publicReadPolicy, uniqueName } from './fixtures';
import { followExecution, type StateVisit } from './execution';
import { clickSlackButton } from './slack-click';
import { fetchRecordedSlackCalls } from './slack-stand-in';
import { startLocalStack, type LocalStack } from './stack';

const color = process.stdout.isTTY ? (code: number) => (text: string) => `\x1b[${code}m${text}\x1b[0m` : () => (text: string) => text;
const bold = color(1);
const green = color(32);
const red = color(31);
const dim = color(2);

const say = (line = ''): void => void process.stdout.write(`${line}\n`);
const indent = (text: string, prefix = '      '): string => text.split('\n').map((l) => prefix + l).join('\n');

/** Each state as it is entered, in the CLI's timeline format (cli/timeline.ts: `remediate run --follow` prints the same). */
function timeline(start: number): (visit: StateVisit) => void {
  const printed = new Set<string>();
  return (visit) => {
    const key = `${visit.name}@${visit.enteredAt.getTime()}`;
    if (printed.has(key)) return;
    printed.add(key);
    say(formatEntry({ at: visit.enteredAt, kind: 'entered', state: visit.name, type: visit.type, notes: [] }, start, process.stdout.isTTY ? COLOURED : PLAIN));
  };
}

async function bucketState(s3: S3Client, bucket: string): Promise<{ policy: string | null; blockPublicAccess: string }> {
  const policy = await s3.send(new GetBucketPolicyCommand({ Bucket: bucket })).then((r) => r.Policy ?? null, () => null);
  const bpa = await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })).then(
    (r) => JSON.stringify(r.PublicAccessBlockConfiguration),
    () => 'none',
  );
  return { policy, blockPublicAccess: bpa };
}

const pretty = (policy: string | null): string => (policy === null ? '(no policy)' : JSON.stringify(JSON.parse(policy), null, 2));

async function autoScenario(stack: LocalStack, s3: S3Client, sfn: SFNClient, audit: AuditStore): Promise<boolean> {
  const bucket = uniqueName('remediator-demo-public-assets');
  say(bold(`1. Fully automatic: public bucket ${bucket}`));
  await createBucketWithPolicy(s3, bucket);
  const before = await bucketState(s3, bucket);
  say(`  Bucket policy before:\n${indent(pretty(before.policy))}`);
  const event = accessAnalyzerEvent(bucket);
  say(`  Access Analyzer reports it public (finding ${(event.detail as { id: string }).id}); starting the workflow\n`);
  const start = Date.now();
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: stack.stateMachineArn, name: uniqueName('demo-auto'), input: JSON.stringify(event) }),
  );
  const result = await followExecution(sfn, executionArn!, { onState: timeline(start), timeoutMs: 60_000 });
  const after = await bucketState(s3, bucket);
  const change = await audit.getChange(executionArn!.split(':').pop()!);
  say(`\n  Execution ${result.status} in ${((Date.now() - start) / 1000).toFixed(1)} s`);
  say(`  Bucket policy after:\n${indent(pretty(after.policy))}`);
  say(`  Block Public Access after: ${after.blockPublicAccess}`);
  const restorable = change?.before.policy === before.policy;
  const started = (await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn! }))).startDate;
  if (change && started) {
    say(`  Change record saved ${new Date(change.createdAt).getTime() - started.getTime()} ms after the execution started (the deny-all write follows it)`);
  }
  say(`  Change record ${change?.changeId} (${change?.status}, actor ${change?.actor}): original policy saved byte for byte: ${restorable ? green('yes') : red('NO')}`);
  const denyAll = after.policy !== null && JSON.parse(after.policy).Statement?.[0]?.Effect === 'Deny';
  const ok = result.status === 'SUCCEEDED' && result.states.some((s) => s.name === 'Record And Notify') && denyAll && restorable;
  say(ok ? green('  ✔ remediated and verified\n') : red(`  ✘ unexpected end: ${result.status} ${result.error ?? ''} ${result.cause ?? ''}\n`));
  return ok;
}

async function approvalScenario(stack: LocalStack, s3: S3Client, sfn: SFNClient): Promise<boolean> {
  const bucket = uniqueName('remediator-demo-prod-reports');
  say(bold(`2. Human approval in Slack: production bucket ${bucket}`));
  await createBucketWithPolicy(s3, bucket);
  const event = accessAnalyzerEvent(bucket);
  const start = Date.now();
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: stack.stateMachineArn, name: uniqueName('demo-approve'), input: JSON.stringify(event) }),
  );
  const onState = timeline(start);
  await followExecution(sfn, executionArn!, { onState, until: (visits) => visits.some((v) => v.name === 'Request Approval'), timeoutMs: 30_000 });
  const message = await waitForApprovalMessage(stack);
  say(`\n  Slack ${message.channel}: "${message.text}"`);
  say(dim(`  buttons: Approve / Reject (value = opaque approval id ${message.approvalId.slice(0, 12)}…; the task token stays in DynamoDB)`));

  const forged = await clickSlackButton({
    interactionsUrl: stack.interactionsUrl,
    signingSecret: stack.slack.signingSecret,
    signWith: 'not-the-signing-secret',
    userId: 'U0MALLORY',
    actionId: SLACK_BUTTONS.approve,
    value: message.approvalId,
  });
  say(`  A forged click (wrong signature) is answered ${forged.status === 401 ? green('401') : red(String(forged.status))}: ${forged.body}`);
  const click = await clickSlackButton({
    interactionsUrl: stack.interactionsUrl,
    signingSecret: stack.slack.signingSecret,
    userId: 'U0ONCALL',
    actionId: SLACK_BUTTONS.approve,
    value: message.approvalId,
    messageText: message.text,
  });
  say(`  <@U0ONCALL> clicks Approve (signed v0 request): ${click.status === 200 ? green('200') : red(String(click.status))}\n`);
  const result = await followExecution(sfn, executionArn!, { onState, timeoutMs: 60_000 });
  const after = await bucketState(s3, bucket);
  say(`\n  Execution ${result.status}; bucket policy after:\n${indent(pretty(after.policy))}`);
  const ok =
    forged.status === 401 &&
    click.status === 200 &&
    result.status === 'SUCCEEDED' &&
    result.states.some((s) => s.name === 'Apply Corrective Control') &&
    result.states.some((s) => s.name === 'Record And Notify');
  say(ok ? green('  ✔ approved in Slack, remediated and verified\n') : red(`  ✘ unexpected end: ${result.status} ${result.error ?? ''} ${result.cause ?? ''}\n`));
  return ok;
}

async function driftScenario(stack: LocalStack, s3: S3Client, sfn: SFNClient): Promise<boolean> {
  const bucket = uniqueName('remediator-demo-drifting-site');
  say(bold(`3. A fix that does not take: bucket ${bucket} is re-opened while Remediator waits for the rescan`));
  await createBucketWithPolicy(s3, bucket);
  const start = Date.now();
  const onState = timeline(start);
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: stack.stateMachineArn, name: uniqueName('demo-drift'), input: JSON.stringify(accessAnalyzerEvent(bucket)) }),
  );
  await followExecution(sfn, executionArn!, { onState, until: (visits) => visits.some((v) => v.name === 'Wait For Rescan'), timeoutMs: 30_000 });
  // What an IaC pipeline that still has the old policy would do.
  await s3.send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: publicReadPolicy(bucket) }));
  say(dim('  (a deploy pipeline puts the public policy back)'));
  await followExecution(sfn, executionArn!, { onState, until: (visits) => visits.some((v) => v.name === 'Escalate To On-Call'), timeoutMs: 60_000 });
  const message = await waitForMessageWithButton(stack, SLACK_BUTTONS.acknowledge, bucket);
  say(`\n  Slack ${message.channel}: "${message.text}" — buttons: Acknowledge / Roll back`);
  const click = await clickSlackButton({
    interactionsUrl: stack.interactionsUrl,
    signingSecret: stack.slack.signingSecret,
    userId: 'U0ONCALL',
    actionId: SLACK_BUTTONS.acknowledge,
    value: message.approvalId,
    messageText: message.text,
  });
  say(`  <@U0ONCALL> clicks Acknowledge: ${click.status === 200 ? green('200') : red(String(click.status))}\n`);
  const result = await followExecution(sfn, executionArn!, { onState, timeoutMs: 60_000 });
  const checks = result.states.filter((s) => s.name === 'Check Resolution').length;
  const ok = result.status === 'SUCCEEDED' && checks > 1 && result.states.some((s) => s.name === 'Escalate To On-Call') && click.status === 200;
  say(ok ? green(`  ✔ re-checked ${checks} times on the live bucket, escalated to on-call, acknowledged\n`) : red(`  ✘ unexpected end: ${result.status}\n`));
  return ok;
}

async function waitForApprovalMessage(stack: LocalStack): Promise<{ channel: string; text: string; approvalId: string }> {
  return waitForMessageWithButton(stack, SLACK_BUTTONS.approve);
}

async function waitForMessageWithButton(stack: LocalStack, actionId: string, about = ''): Promise<{ channel: string; text: string; approvalId: string }> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const calls = await fetchRecordedSlackCalls(stack.slack.url);
    for (const call of calls.reverse()) {
      const blocks = (call.args.blocks ?? []) as { type: string; elements?: { action_id?: string; value?: string }[] }[];
      const button = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId);
      if (call.method === 'chat.postMessage' && button?.value && JSON.stringify(blocks).includes(about)) {
        return { channel: String(call.args.channel), text: String(call.args.text), approvalId: button.value };
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no Slack message with a ${actionId} button within 15 s`);
}

async function main(): Promise<number> {
  const rescanWaitSeconds = Number(process.env.DEMO_RESCAN_WAIT_SECONDS ?? 2);
  say(bold('Remediator demo — local stack (moto + Step Functions + our handlers + Slack stand-in)'));
  const stack = await startLocalStack({ rescanWaitSeconds, log: (line) => say(dim(`  ${line}`)) });
  say(dim(`  state machine ${stack.stateMachineArn} (statemachines/remediation.asl.json); rescan wait ${rescanWaitSeconds} s\n`));
  try {
    const s3 = new S3Client(stack.clientConfig);
    const sfn = new SFNClient(stack.clientConfig);
    const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
    const results = [await autoScenario(stack, s3, sfn, audit), await approvalScenario(stack, s3, sfn), await driftScenario(stack, s3, sfn)];
    const passed = results.filter(Boolean).length;
    say(bold(passed === results.length ? green(`All ${results.length} scenarios ended as expected.`) : red(`${results.length - passed} of ${results.length} scenarios did not end as expected.`)));
    return passed === results.length ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${red("demo failed:")} ${(error as Error).stack ?? String(error)}\n`);
    process.exit(2);
  },
);

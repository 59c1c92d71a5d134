/**
 * The corrective-control catalog through the ASL, executed by the emulator's Step Functions with
 * our handlers behind its Lambda tasks. Each scenario starts from a sample event under events/
 * (the resource swapped for one created here), and checks that triage sends it to its control,
 * the write happens, Check Resolution finds the live resource closed, and a rollback — run
 * through the workflow as a proven operator's request (`remediate rollback`) — puts back exactly
 * what the change record holds.
 *
 * The local stack has no Access Analyzer, Config compliance API nor GuardDuty findings
 * (REMEDIATOR_RESCAN_SOURCE=none): Check Resolution answers from the live re-check here; asking
 * the source is covered in test/unit/verify/check-resolution-sources.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, GetRoleCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { CreateDBInstanceCommand, CreateDBSnapshotCommand, DescribeDBSnapshotAttributesCommand, ModifyDBSnapshotAttributeCommand, RDSClient } from '@aws-sdk/client-rds';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../lib/audit/store';
import { AwsClients } from '../../lib/aws/clients';
import { runCli } from '../support/cli';
import { decodePolicyDocument } from '../../lib/controls/iam-role-restrict-trust';
import { getControl } from '../../lib/controls/registry';
import type { ControlContext } from '../../lib/controls/types';
import { SLACK_BUTTONS } from '../../lib/escalation/messages';
import type { ChangeRecord } from '../../lib/finding';
import { normalizeEvent } from '../../lib/sources';
import type { RunState } from '../../lib/workflow/state';
import { executionName } from '../../lib/workflow/types';
import { uniqueName } from '../../local/fixtures';
import { clickSlackButton } from '../../local/slack-click';
import { controlContextFor } from '../support/control-context';
import { useLocalStack } from '../support/emulator';
import { buttonValueFor, path, runToEnd, runUntilState, startExecution } from './helpers';
import { securityGroupWithIngress } from '../support/security-group';

const stack = useLocalStack();
const sfn = new SFNClient(stack.clientConfig);
const iam = new IAMClient(stack.clientConfig);
const sqs = new SQSClient(stack.clientConfig);
const rds = new RDSClient(stack.clientConfig);
const ec2 = new EC2Client(stack.clientConfig);
const audit = new AuditStore(stack.auditTable, new AwsClients(stack.clientConfig));
const OUTSIDER = '444455556666';

const AUTO_PATH = ['Classify Finding', 'Route?', 'Apply Corrective Control', 'Wait For Rescan', 'Check Resolution', 'Resolved?', 'Record And Notify', 'Done'];
const APPROVE_PATH = ['Classify Finding', 'Route?', 'Request Approval', 'Approved?', 'Apply Corrective Control', 'Wait For Rescan', 'Check Resolution', 'Resolved?', 'Record And Notify', 'Done'];
const ROLLBACK_PATH = ['Classify Finding', 'Route?', 'Roll Back Change', 'Record And Notify', 'Done'];

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A sample event from events/, with its placeholders replaced (whole strings, as in the file) and fresh ids and times. */
function sampleEvent(file: string, replace: Record<string, string>, freshDetail: (detail: Record<string, unknown>) => void): Record<string, unknown> {
  let text = readFileSync(`events/${file}.json`, 'utf8');
  for (const [from, to] of Object.entries(replace)) text = text.replaceAll(JSON.stringify(from), JSON.stringify(to));
  const event = JSON.parse(text) as Record<string, unknown> & { detail: Record<string, unknown> };
  event.id = uniqueName('catalog-event');
  event.time = now();
  freshDetail(event.detail);
  return event;
}

const freshAccessAnalyzerFinding = (detail: Record<string, unknown>) => {
  Object.assign(detail, { id: uniqueName('finding'), createdAt: now(), analyzedAt: now(), updatedAt: now() });
};

/** The context a control gets for this event's finding: what the handlers build, to read the live state as the change record holds it. */
function contextOf(event: unknown): ControlContext {
  const normalized = normalizeEvent(event, {});
  if (normalized.kind !== 'findings') throw new Error(`the sample event normalizes to ${normalized.kind}`);
  const finding = normalized.findings[0]!;
  return { ...controlContextFor(stack, finding.resource.arn, finding.resource.type), finding };
}

const cli = (...argv: string[]) => runCli(stack, ...argv);

interface Remediated {
  executionArn: string;
  states: string[];
  state: RunState;
  change: ChangeRecord;
}

/** Run the event to its end; the change record of its execution must exist and name the control triage was expected to choose. */
async function remediate(event: unknown, prefix: string, controlId: string, beforeEnd?: (executionArn: string) => Promise<void>): Promise<Remediated> {
  const executionArn = await startExecution(sfn, stack.stateMachineArn, event, prefix);
  await beforeEnd?.(executionArn);
  const result = await runToEnd(sfn, executionArn);
  expect(result.status, JSON.stringify(result.output)).toBe('SUCCEEDED');
  const change = await audit.getChange(executionName(executionArn));
  expect(change, 'a change record').toBeDefined();
  expect(change).toMatchObject({ controlId, status: 'APPLIED' });
  return { executionArn, states: path(result), state: result.output as RunState, change: change! };
}

/** `remediate rollback <execution>`: the rollback runs through the workflow; the change ends ROLLED_BACK. */
async function rollBack(executionArn: string): Promise<void> {
  const started = await cli('rollback', executionArn);
  expect(started.code, started.err).toBe(0);
  const rollbackArn = /started (\S+)/.exec(started.out)?.[1] ?? '';
  const result = await runToEnd(sfn, rollbackArn);
  expect(result.status, JSON.stringify(result.output)).toBe('SUCCEEDED');
  expect(path(result)).toEqual(ROLLBACK_PATH);
  expect(await audit.getChange(executionName(executionArn))).toMatchObject({ status: 'ROLLED_BACK', rollbackBy: rollbackArn });
}

/** A control's state with each JSON field parsed: a service may re-serialize what was written (moto's SQS does). */
const parsedState = (state: Record<string, string | null>) => Object.fromEntries(Object.entries(state).map(([k, v]) => [k, v === null ? null : JSON.parse(v)]));

/** What every scenario shares: verified on the live resource, recorded RESOLVED, and the live state is the record's `after`. */
async function expectResolved(run: Remediated, ctx: ControlContext): Promise<void> {
  expect(run.state.verification).toMatchObject({ status: 'RESOLVED', attempt: 1 });
  expect(await audit.getOutcome(executionName(run.executionArn))).toMatchObject({ outcome: 'RESOLVED', changeId: executionName(run.executionArn) });
  expect(parsedState(await getControl(run.change.controlId).snapshot(ctx))).toEqual(parsedState(run.change.after));
  expect(run.change.after).not.toEqual(run.change.before);
}

describe('an IAM role whose trust policy lets another account assume it (Access Analyzer)', () => {
  it('drops the outside account from the trust policy, keeps the rest, and rolls back to the original text', async () => {
    const trust = `{"Version":"2012-10-17","Statement":[
 {"Sid":"Lambda","Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"},
 {"Sid":"Vendor","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::${stack.accountId}:root","arn:aws:iam::${OUTSIDER}:root"]},"Action":"sts:AssumeRole"}]}`;
    const roleName = uniqueName('wf-vendor-access');
    const roleArn = (await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trust }))).Role!.Arn!;
    const liveTrust = async () => decodePolicyDocument((await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role!.AssumeRolePolicyDocument!);
    const event = sampleEvent('access-analyzer/iam-role-cross-account', { 'arn:aws:iam::123456789012:role/remediator-demo-vendor-access': roleArn }, freshAccessAnalyzerFinding);

    const run = await remediate(event, 'catalog-role', 'iam-role-restrict-trust');

    expect(run.states).toEqual(AUTO_PATH);
    const fixed = JSON.parse(await liveTrust());
    expect(JSON.stringify(fixed)).not.toContain(OUTSIDER);
    expect(fixed.Statement[0]).toEqual(JSON.parse(trust).Statement[0]);
    expect(fixed.Statement[1].Principal.AWS).toEqual([`arn:aws:iam::${stack.accountId}:root`]);
    expect(run.change.before.policy).toBe(trust);
    await expectResolved(run, contextOf(event));

    await rollBack(run.executionArn);
    expect(await liveTrust()).toBe(trust);
  });
});

describe('a public SQS queue (Access Analyzer)', () => {
  it('narrows the public statement to the own account, keeps the rest, and rolls back to the exact policy text', async () => {
    const name = uniqueName('wf-intake');
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const queueArn = `arn:aws:sqs:${stack.region}:${stack.accountId}:${name}`;
    const policyOf = async () => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Policy'] }))).Attributes?.Policy ?? null;
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Anyone', Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: queueArn },
        { Sid: 'Own', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${stack.accountId}:root` }, Action: 'sqs:ReceiveMessage', Resource: queueArn },
      ],
    };
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: JSON.stringify(policy) } }));
    // moto re-serializes a queue policy: the text the service returns is what must come back.
    const original = (await policyOf())!;
    const event = sampleEvent('access-analyzer/sqs-queue-public', { 'arn:aws:sqs:us-east-1:123456789012:remediator-demo-intake': queueArn }, freshAccessAnalyzerFinding);

    const run = await remediate(event, 'catalog-sqs', 'sqs-remove-external-statements');

    expect(run.states).toEqual(AUTO_PATH);
    // The minimal fix: the public statement is narrowed to the zone of trust (the own account); the other statement stays.
    const fixed = JSON.parse((await policyOf())!);
    expect(fixed.Statement).toEqual([{ ...policy.Statement[0], Condition: { StringEquals: { 'aws:PrincipalAccount': stack.accountId } } }, policy.Statement[1]]);
    expect(run.change.before.policy).toBe(original);
    await expectResolved(run, contextOf(event));

    await rollBack(run.executionArn);
    expect(await policyOf()).toBe(original);
  });
});

describe('an RDS DB snapshot shared publicly and with an outside account (Access Analyzer)', () => {
  it('unshares it from everyone outside the zone of trust, and rolls the shares back', async () => {
    const db = uniqueName('wf-orders-db');
    await rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: db, DBInstanceClass: 'db.t3.micro', Engine: 'postgres', MasterUsername: 'admin1', MasterUserPassword: 'password123', AllocatedStorage: 20 }));
    const name = uniqueName('wf-orders-snap');
    const snapshotArn = (await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: db, DBSnapshotIdentifier: name }))).DBSnapshot!.DBSnapshotArn!;
    await rds.send(new ModifyDBSnapshotAttributeCommand({ DBSnapshotIdentifier: name, AttributeName: 'restore', ValuesToAdd: ['all', OUTSIDER] }));
    const shares = async () =>
      ((await rds.send(new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: name }))).DBSnapshotAttributesResult?.DBSnapshotAttributes ?? [])
        .filter((a) => a.AttributeName === 'restore')
        .flatMap((a) => a.AttributeValues ?? [])
        .sort();
    const event = sampleEvent('access-analyzer/rds-db-snapshot-public', { 'arn:aws:rds:us-east-1:123456789012:snapshot:remediator-demo-orders-2026-11-22': snapshotArn }, freshAccessAnalyzerFinding);
    const ctx = contextOf(event);
    const before = await getControl('rds-snapshot-unshare').snapshot(ctx);

    const run = await remediate(event, 'catalog-rds', 'rds-snapshot-unshare');

    expect(run.states).toEqual(AUTO_PATH);
    expect(await shares()).toEqual([]);
    expect(run.change.before).toEqual(before);
    await expectResolved(run, ctx);

    await rollBack(run.executionArn);
    expect(await shares()).toEqual([OUTSIDER, 'all'].sort());
    expect(await getControl('rds-snapshot-unshare').snapshot(ctx)).toEqual(run.change.before);
  });
});

describe('a security group open to the world on SSH (Config restricted-ssh)', () => {
  it('revokes 0.0.0.0/0 and ::/0 on port 22 only, and authorizes exactly those rules again on rollback', async () => {
    const groupId = await securityGroupWithIngress(ec2, 'wf-open-ssh', [
          { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'ssh from anywhere' }, { CidrIp: '10.0.0.0/8' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        ]);
    /** The group's ingress, one line per protocol / range / source, sorted (EC2's order is not meaningful). */
    const ingress = async () => {
      const group = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))).SecurityGroups![0]!;
      return (group.IpPermissions ?? [])
        .flatMap((p) => [...(p.IpRanges ?? []).map((r) => `${p.IpProtocol}/${p.FromPort}-${p.ToPort} ${r.CidrIp} ${r.Description ?? ''}`), ...(p.Ipv6Ranges ?? []).map((r) => `${p.IpProtocol}/${p.FromPort}-${p.ToPort} ${r.CidrIpv6} ${r.Description ?? ''}`)])
        .sort();
    };
    const original = await ingress();
    const event = sampleEvent(
      'config/s3-bucket-public-read-noncompliant',
      { 's3-bucket-public-read-prohibited': 'restricted-ssh', 'AWS::S3::Bucket': 'AWS::EC2::SecurityGroup', 'remediator-demo-public-assets': groupId, '123456789012': stack.accountId },
      (detail) => {
        const result = detail.newEvaluationResult as Record<string, unknown>;
        Object.assign(result, { resultRecordedTime: now(), configRuleInvokedTime: now() });
        detail.notificationCreationTime = now();
      },
    );

    const run = await remediate(event, 'catalog-sg', 'ec2-revoke-open-ingress');

    expect(run.states).toEqual(AUTO_PATH);
    expect(await ingress()).toEqual(['tcp/22-22 10.0.0.0/8 ', 'tcp/443-443 0.0.0.0/0 ']);
    await expectResolved(run, contextOf(event));

    // The rollback request names only the group: the change record's selection (restricted-ssh: port 22) keeps it from
    // touching the world-open 443 rule the change never selected.
    expect(run.change.selection).toMatchObject({ source: 'config', type: 'restricted-ssh' });
    await rollBack(run.executionArn);
    expect(await ingress()).toEqual(original);
    expect(await getControl('ec2-revoke-open-ingress').snapshot(contextOf(event))).toEqual(run.change.before);
  });
});

describe('a GuardDuty finding about an IAM user access key (approve mode)', () => {
  it('waits for Approve in Slack, deactivates that key only, and rollback reactivates it', async () => {
    const userName = uniqueName('wf-legacy-reporting');
    const userArn = (await iam.send(new CreateUserCommand({ UserName: userName }))).User!.Arn!;
    const leaked = (await iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey!.AccessKeyId!;
    const other = (await iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey!.AccessKeyId!;
    const statuses = async () =>
      Object.fromEntries(((await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata ?? []).map((k) => [k.AccessKeyId, k.Status]));
    const findingId = randomBytes(16).toString('hex');
    const event = sampleEvent('guardduty/iam-user-malicious-ip-caller', { 'legacy-reporting': userName, AKIAIOSFODNN7EXAMPLE: leaked, '123456789012': stack.accountId }, (detail) => {
      Object.assign(detail, { id: findingId, arn: `arn:aws:guardduty:${stack.region}:${stack.accountId}:detector/12cc51e1c99e833adf5924c71ac591b2/finding/${findingId}`, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() });
    });

    const run = await remediate(event, 'catalog-key', 'iam-deactivate-access-key', async (executionArn) => {
      await runUntilState(sfn, executionArn, 'Request Approval');
      const { value } = await buttonValueFor(stack.slackUrl, userArn);
      // Nothing is written before the click.
      expect(await statuses()).toEqual({ [leaked]: 'Active', [other]: 'Active' });
      const click = await clickSlackButton({ interactionsUrl: stack.interactionsUrl, signingSecret: stack.signingSecret, userId: 'U0APPROVER', actionId: SLACK_BUTTONS.approve, value });
      expect(click.status).toBe(200);
    });

    expect(run.states).toEqual(APPROVE_PATH);
    expect(run.state.decision).toMatchObject({ action: 'APPROVE', mode: 'approve', controlId: 'iam-deactivate-access-key' });
    expect(await statuses()).toEqual({ [leaked]: 'Inactive', [other]: 'Active' });
    expect(run.change).toMatchObject({ actor: 'slack:U0APPROVER', resourceArn: userArn });
    expect(JSON.parse(run.change.before.accessKeys!)).toEqual({ [leaked]: 'Active' });
    await expectResolved(run, contextOf(event));

    await rollBack(run.executionArn);
    expect(await statuses()).toEqual({ [leaked]: 'Active', [other]: 'Active' });
    expect(await getControl('iam-deactivate-access-key').snapshot(contextOf(event))).toEqual(run.change.before);
  });
});

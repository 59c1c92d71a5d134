/**
 * Manual requests (`remediate run`, `remediate rollback`): an EventBridge-shaped event of source remediator.manual,
 * validated like any other source, signed with the operator's own AWS credentials and started as an execution.
 */
import { createHash, randomBytes } from 'node:crypto';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { defaultClients } from '../lib/aws/clients';
import type { Mode } from '../lib/finding';
import { requestDigest, signIdentityProof, type IdentityProof } from '../lib/requests/identity';
import { normalizeEvent } from '../lib/sources';
import { MANUAL_DETAIL_TYPE, MANUAL_SOURCE } from '../lib/sources/manual';
import { UsageError } from './errors';
import type { CliIo } from './io';

/** A manual request, as an EventBridge-shaped event of source remediator.manual: validated like any other source. */
export function manualRequestEvent(args: {
  controlId?: string;
  resourceArn: string;
  mode?: Mode;
  reason?: string;
  rollbackOf?: string;
  nonce: string;
  identity?: IdentityProof;
  account: string;
  region: string;
  now?: Date;
}): Record<string, unknown> {
  const time = (args.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const id = createHash('sha256').update(`${args.controlId ?? ''}|${args.resourceArn}|${args.rollbackOf ?? ''}|${args.nonce}`).digest('hex').slice(0, 32);
  return {
    version: '0',
    id,
    source: MANUAL_SOURCE,
    'detail-type': MANUAL_DETAIL_TYPE,
    account: args.account,
    region: args.region,
    time,
    resources: [args.resourceArn],
    detail: {
      resourceArn: args.resourceArn,
      ...(args.controlId ? { controlId: args.controlId } : {}),
      ...(args.mode ? { mode: args.mode } : {}),
      ...(args.reason ? { reason: args.reason } : {}),
      ...(args.rollbackOf ? { rollbackOf: args.rollbackOf } : {}),
      nonce: args.nonce,
      ...(args.identity ? { identity: args.identity } : {}),
    },
  };
}

export interface ManualRequest {
  controlId?: string;
  resourceArn: string;
  mode?: Mode;
  reason?: string;
  rollbackOf?: string;
  account?: string;
}

/**
 * Start a manual request as an execution, signed with the caller's own AWS credentials: the workflow asks STS who
 * signed it (lib/requests/identity.ts), so the requester in the audit trail is the caller's real identity.
 */
export async function startManualRequest(io: CliIo, stateMachineArn: string, request: ManualRequest): Promise<string> {
  const [, partition = 'aws', , region = defaultClients().config.region, account = ''] = stateMachineArn.split(':');
  const nonce = randomBytes(16).toString('hex');
  const draft = manualRequestEvent({ ...request, nonce, account: request.account ?? account, region });
  // The same validation the workflow applies: fail here, before starting anything.
  const normalized = normalizeEvent(draft, {});
  if (normalized.kind !== 'findings' || !normalized.findings[0]) throw new UsageError(`cannot ask for ${request.resourceArn}: not a resource ARN Remediator handles`);
  const resourceArn = normalized.findings[0].resource.arn;
  const sfn = defaultClients().get(SFNClient);
  const credentials = await sfn.config.credentials();
  const endpoint = io.env.REMEDIATOR_AWS_ENDPOINT ?? `https://sts.${region}.${partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
  const intent = {
    resourceArn,
    nonce,
    ...(request.controlId ? { controlId: request.controlId } : {}),
    ...(request.mode ? { mode: request.mode } : {}),
    ...(request.reason ? { reason: request.reason } : {}),
    ...(request.rollbackOf ? { rollbackOf: request.rollbackOf } : {}),
  };
  const identity = await signIdentityProof({ credentials, region, endpoint, digest: requestDigest(intent) });
  const event = manualRequestEvent({ ...request, resourceArn, nonce, identity, account: request.account ?? account, region });
  const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: `manual-${String(event.id).slice(0, 24)}`, input: JSON.stringify(event) }));
  return started.executionArn ?? '';
}

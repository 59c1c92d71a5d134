/**
 * kms-remove-external-statements — the minimal fix for a KMS key whose key
 * policy grants access outside the zone of trust: remove (or narrow) only the
 * offending principals and statements, keep everything trusted, Sids and order
 * (lib/policy buildMinimalFix, re-analysed before it is returned). Deny-all is
 * wrong for a key: it would break every workload that encrypts with it.
 * The prior key policy is saved byte for byte before it is replaced.
 */
import { GetKeyPolicyCommand, KMSClient, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { toRemediatorError } from '../aws/errors';
import { ControlFailedError } from '../errors';
import { removeExternalStatementsControl } from './remove-external-statements';
import type { ControlContext, CorrectiveControl } from './types';
import { controlFacts } from './catalog';


export function keyIdFromArn(arn: string): string {
  if (!/^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/.test(arn)) {
    throw new ControlFailedError(`"${arn}" is not a KMS key ARN`, { context: { resourceArn: arn } });
  }
  return arn;
}

async function readKeyPolicy(ctx: ControlContext): Promise<string | null> {
  try {
    const result = await ctx.clients.get(KMSClient).send(new GetKeyPolicyCommand({ KeyId: keyIdFromArn(ctx.finding.resource.arn), PolicyName: 'default' }));
    if (!result.Policy) throw new ControlFailedError(`key ${ctx.finding.resource.arn} returned no key policy`);
    return result.Policy;
  } catch (error) {
    throw toRemediatorError(error, `reading the key policy of ${ctx.finding.resource.arn}`, { resourceArn: ctx.finding.resource.arn });
  }
}

async function putKeyPolicy(ctx: ControlContext, policy: string, doing: string): Promise<void> {
  try {
    // The lockout safety check stays on: KMS refuses a policy that would lock the caller out.
    await ctx.clients.get(KMSClient).send(new PutKeyPolicyCommand({ KeyId: keyIdFromArn(ctx.finding.resource.arn), PolicyName: 'default', Policy: policy }));
  } catch (error) {
    throw toRemediatorError(error, `${doing} ${ctx.finding.resource.arn}`, { resourceArn: ctx.finding.resource.arn });
  }
}

export const kmsRemoveExternalStatements: CorrectiveControl = removeExternalStatementsControl({
  facts: controlFacts('kms-remove-external-statements'),
  noun: 'key policy',
  kind: 'kms',
  access: {
    read: readKeyPolicy,
    write: (ctx, policy) => putKeyPolicy(ctx, policy, 'writing the key policy of'),
  },
});

/** A security group with the given ingress rules, created on the emulator for a test; returns its id. */
import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, type EC2Client, type IpPermission } from '@aws-sdk/client-ec2';
import { uniqueName } from '../../local/fixtures';

export async function securityGroupWithIngress(ec2: EC2Client, namePrefix: string, ingress: IpPermission[]): Promise<string> {
  const groupId = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: uniqueName(namePrefix), Description: `remediator test ${namePrefix}` }))).GroupId!;
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: ingress }));
  return groupId;
}

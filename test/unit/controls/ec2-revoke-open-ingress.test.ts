/** Which world-open rules ec2-revoke-open-ingress closes for each Config rule (pure; the AWS calls run on the emulator). */
import { describe, expect, it } from 'vitest';
import { parsePorts, portSelectionFor, toIpPermissions, worldRules, type WorldRule } from '../../../lib/controls/ec2-revoke-open-ingress';
import { finding as testFinding } from '../../support/finding';

const finding = (type: string, labels: Record<string, string> = {}) =>
  testFinding({
    id: 'f',
    source: 'config',
    type,
    severity: 'MEDIUM',
    resource: { arn: 'arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0', type: 'AWS::EC2::SecurityGroup', accountId: '123456789012', region: 'us-east-1' },
    labels,
    raw: { eventId: 'e', source: 'aws.config' },
    exposure: null,
  });

const rule = (IpProtocol: string, FromPort?: number, ToPort?: number): WorldRule => ({ IpProtocol, FromPort, ToPort, CidrIp: '0.0.0.0/0' });
const selected = (type: string, rules: WorldRule[], labels?: Record<string, string>) => rules.filter((r) => portSelectionFor(finding(type, labels)).selects(r));

describe('ec2-revoke-open-ingress port selection', () => {
  it('restricted-ssh: TCP rules covering 22 and all-traffic rules, nothing else', () => {
    const rules = [rule('tcp', 22, 22), rule('tcp', 0, 65535), rule('-1'), rule('udp', 22, 22), rule('tcp', 443, 443), rule('6', 20, 30)];
    expect(selected('restricted-ssh', rules)).toEqual([rules[0], rules[1], rules[2], rules[5]]);
  });

  it('restricted-common-ports: the documented defaults 20, 21, 3389, 3306, 4333, or the ports the rule was given', () => {
    const rules = [20, 21, 22, 3306, 3389, 4333, 5432].map((p) => rule('tcp', p, p));
    expect(selected('restricted-common-ports', rules).map((r) => r.FromPort)).toEqual([20, 21, 3306, 3389, 4333]);
    expect(selected('restricted-common-ports', rules, { blockedPorts: '5432' }).map((r) => r.FromPort)).toEqual([5432]);
    expect(selected('restricted-common-ports', rules, { blockedPort1: '22', blockedPort2: '3306' }).map((r) => r.FromPort)).toEqual([22, 3306]);
  });

  it('vpc-sg-open-only-to-authorized-ports: keeps rules inside the authorized ports (ranges joined), closes the rest', () => {
    const rules = [rule('tcp', 443, 443), rule('tcp', 500, 1500), rule('tcp', 8050, 8200), rule('udp', 53, 53), rule('icmp', -1, -1), rule('-1')];
    const kept = rules.filter((r) => !selected('vpc-sg-open-only-to-authorized-ports', rules, { authorizedTcpPorts: '443,1-1000,1001-2000,8000-8100', authorizedUdpPorts: '53' }).includes(r));
    expect(kept).toEqual([rules[0], rules[1], rules[3]]);
    expect(selected('vpc-sg-open-only-to-authorized-ports', rules)).toEqual(rules);
  });

  it('a `ports` label narrows any rule; no port named means every world-open rule', () => {
    const rules = [rule('tcp', 22, 22), rule('udp', 161, 161)];
    expect(selected('some-custom-rule', rules, { ports: '161' })).toEqual([rules[1]]);
    expect(selected('some-custom-rule', rules)).toEqual(rules);
  });

  it('parses ports and ranges, ignoring what is not one', () => {
    expect(parsePorts(' 22, 8000-8100, x, 70000, 9-3')).toEqual([[22, 22], [8000, 8100]]);
  });

  it('keeps only the world CIDRs of a permission, and groups them back canonically', () => {
    const rules = worldRules([
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/8' }, { CidrIp: '0.0.0.0/0', Description: 'x' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
    ]);
    expect(rules).toHaveLength(2);
    expect(toIpPermissions(rules)).toEqual([{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'x' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }]);
    expect(toIpPermissions(rules, false)[0]!.IpRanges).toEqual([{ CidrIp: '0.0.0.0/0' }]);
  });
});

/** The deny-insecure-transport statement of s3-require-tls (pure; the S3 calls run on the emulator). */
import { describe, expect, it } from 'vitest';
import { deniesInsecureTransport, denyInsecureTransportStatement, requiresTls, withTlsRequired } from '../../../lib/controls/s3-require-tls';
import { grantsAdded } from '../../../lib/controls/proof';

const BUCKET = 'arn:aws:s3:::example-bucket';

describe('s3-require-tls statement', () => {
  it('creates a policy holding only the statement when the bucket has none', () => {
    const policy = JSON.parse(withTlsRequired(null, BUCKET));
    expect(policy).toEqual({ Version: '2012-10-17', Statement: [denyInsecureTransportStatement(BUCKET)] });
    expect(requiresTls(JSON.stringify(policy), BUCKET)).toBe(true);
  });

  it('appends to an existing policy, keeping its statements, with a Sid that does not collide, and grants nothing', () => {
    const existing = JSON.stringify({ Version: '2012-10-17', Statement: { Sid: 'DenyInsecureTransport', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 's3:GetObject', Resource: `${BUCKET}/*` } });
    const after = withTlsRequired(existing, BUCKET);
    const statements = JSON.parse(after).Statement;
    expect(statements[0]).toEqual(JSON.parse(existing).Statement);
    expect(statements[1].Sid).toBe('DenyInsecureTransport2');
    expect(grantsAdded(existing, after)).toEqual([]);
    expect(requiresTls(existing, BUCKET)).toBe(false);
    expect(requiresTls(after, BUCKET)).toBe(true);
  });

  it('does not take a narrower or different statement for the requirement', () => {
    const base = denyInsecureTransportStatement(BUCKET);
    expect(deniesInsecureTransport(base, BUCKET)).toBe(true);
    expect(deniesInsecureTransport({ ...base, Effect: 'Allow' }, BUCKET)).toBe(false);
    expect(deniesInsecureTransport({ ...base, Resource: `${BUCKET}/*` }, BUCKET)).toBe(false);
    expect(deniesInsecureTransport({ ...base, Action: 's3:GetObject' }, BUCKET)).toBe(false);
    expect(deniesInsecureTransport({ ...base, Condition: { Bool: { 'aws:SecureTransport': 'true' } } }, BUCKET)).toBe(false);
    expect(deniesInsecureTransport({ ...base, Condition: { Bool: { 'aws:SecureTransport': 'false' }, StringEquals: { 'aws:SourceVpc': 'vpc-1' } } }, BUCKET)).toBe(false);
    expect(deniesInsecureTransport({ ...base, Resource: '*', Principal: { AWS: '*' }, Action: '*' }, BUCKET)).toBe(true);
  });
});

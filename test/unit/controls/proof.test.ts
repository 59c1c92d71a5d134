/** Proof before write: what counts as granting more than before. */
import { describe, expect, it } from 'vitest';
import { grantsAdded } from '../../../lib/controls/proof';

const doc = (statement: object) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
const base = { Sid: 'S', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } };

describe('grantsAdded', () => {
  it('accepts an added condition: conditions are ANDed, so it only narrows', () => {
    const narrowed = { ...base, Condition: { ...base.Condition, StringEquals: { 'aws:PrincipalAccount': '111122223333' } } };
    expect(grantsAdded(doc(base), doc(narrowed))).toEqual([]);
  });

  it('flags a dropped condition', () => {
    const { Condition: _c, ...unconditioned } = base;
    expect(grantsAdded(doc(base), doc(unconditioned))).toEqual(['S']);
  });

  it('flags a condition with more values (they are ORed)', () => {
    const wider = { ...base, Condition: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '0.0.0.0/0'] } } };
    expect(grantsAdded(doc(base), doc(wider))).toEqual(['S']);
  });
});

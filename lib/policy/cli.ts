/**
 * `remediate analyze <policy.json> --account <id> [--org <id> --org-accounts <ids>] [--type s3|kms|...] [--json] [--fix]`
 *
 * Exit codes: 0 = the policy was analysed (whatever the verdict; add
 * `--fail-on-exposed` to get 1 when something is exposed), 2 = usage error,
 * unreadable file, text that is not JSON, or — with `--strict` — a policy IAM
 * itself would reject (without it, such a policy gets lint notes and a
 * conservative verdict).
 *
 * The file may hold the policy itself, a JSON string of it, or the output of
 * the AWS CLI that carries it (`get-bucket-policy`, `get-key-policy`,
 * `get-queue-attributes`, `get-topic-attributes`, `lambda get-policy`,
 * `get-resource-policy`, `ecr get-repository-policy`, `iam get-role`).
 * `-` reads standard input.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { RemediatorError } from '../errors';
import { analyzePolicy } from './analyze';
import { buildMinimalFix } from './fix';
import { formatAnalysis } from './format';
import { parsePolicy } from './parse';
import type { AnalyzeOptions, ResourceKind, S3AclGrant, S3PublicAccessBlock, ZoneOfTrust } from './types';
import { RESOURCE_KINDS } from './types';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const USAGE = `usage: remediate analyze <policy.json|-> --account <id[,id]> [--org <o-id> --org-accounts <id,id,...>]
                         [--type ${RESOURCE_KINDS.join('|')}] [--acl <grants.json>] [--public-access-block <bpa.json>]
                         [--owner-canonical-id <id>] [--json] [--fix] [--fix-service-risks] [--fail-on-exposed] [--strict]
--strict: fail (exit 2) on anything IAM itself would reject, instead of a lint note and a conservative verdict
exit: 0 analysed, 1 exposed (only with --fail-on-exposed), 2 usage error, unreadable file, not JSON, or (--strict) a policy IAM would reject
`;

const ACCOUNT_RE = /^\d{12}$/;

function splitIds(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/** Find the policy inside what the AWS CLI prints; returns the input when it already is one. */
export function extractPolicyDocument(input: unknown): unknown {
  if (typeof input === 'string') {
    try {
      return extractPolicyDocument(JSON.parse(input));
    } catch {
      return input;
    }
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  const o = input as Record<string, unknown>;
  if ('Statement' in o) return o;
  for (const key of ['Policy', 'policy', 'policyText', 'ResourcePolicy', 'AssumeRolePolicyDocument', 'PolicyDocument']) {
    const v = o[key];
    if (typeof v === 'string') return extractPolicyDocument(decodeIfUrlEncoded(v));
    if (v !== null && typeof v === 'object') return extractPolicyDocument(v);
  }
  if (o.Attributes && typeof o.Attributes === 'object') return extractPolicyDocument(o.Attributes);
  if (o.Role && typeof o.Role === 'object') return extractPolicyDocument(o.Role);
  return input;
}

function decodeIfUrlEncoded(v: string): string {
  // IAM returns trust policies URL-encoded.
  if (v.startsWith('%7B')) {
    try {
      return decodeURIComponent(v);
    } catch {
      return v;
    }
  }
  return v;
}

async function readJson(path: string): Promise<unknown> {
  const text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
  return JSON.parse(text);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function aclGrantsFrom(raw: unknown): S3AclGrant[] {
  // Accepts our flat shape or `aws s3api get-bucket-acl` output ({ Grants: [{ Grantee: { Type, URI, ID }, Permission }] }).
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' && Array.isArray((raw as { Grants?: unknown }).Grants) ? (raw as { Grants: unknown[] }).Grants : [];
  return list.map((g) => {
    const grant = g as Record<string, unknown>;
    if (typeof grant.granteeType === 'string') return grant as unknown as S3AclGrant;
    const grantee = (grant.Grantee ?? {}) as Record<string, string | undefined>;
    return { granteeType: (grantee.Type ?? 'CanonicalUser') as S3AclGrant['granteeType'], granteeUri: grantee.URI, granteeId: grantee.ID ?? grantee.EmailAddress, permission: String(grant.Permission ?? '') };
  });
}

export async function runAnalyzeCommand(argv: string[], io: CliIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        account: { type: 'string', multiple: true },
        org: { type: 'string' },
        'org-accounts': { type: 'string', multiple: true },
        type: { type: 'string' },
        json: { type: 'boolean', default: false },
        fix: { type: 'boolean', default: false },
        acl: { type: 'string' },
        'public-access-block': { type: 'string' },
        'owner-canonical-id': { type: 'string' },
        'fail-on-exposed': { type: 'boolean', default: false },
        'fix-service-risks': { type: 'boolean', default: false },
        strict: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    io.stderr(`expected exactly one policy file\n${USAGE}`);
    return 2;
  }
  const accounts = splitIds(values.account);
  const orgAccounts = splitIds(values['org-accounts']);
  const badAccount = [...accounts, ...orgAccounts].find((a) => !ACCOUNT_RE.test(a));
  if (accounts.length === 0 || badAccount !== undefined) {
    io.stderr(`${badAccount ? `"${badAccount}" is not a 12-digit account id` : '--account is required'}\n${USAGE}`);
    return 2;
  }
  if (values.type !== undefined && !RESOURCE_KINDS.includes(values.type as ResourceKind)) {
    io.stderr(`unknown --type "${values.type}"\n${USAGE}`);
    return 2;
  }
  if (orgAccounts.length > 0 && values.org === undefined) {
    io.stderr(`--org-accounts needs --org\n${USAGE}`);
    return 2;
  }
  const zone: ZoneOfTrust = { accountIds: accounts, ...(values.org ? { organizationId: values.org } : {}), ...(orgAccounts.length > 0 ? { organizationAccountIds: orgAccounts } : {}) };
  const options: AnalyzeOptions = { ...(values.type ? { kind: values.type as ResourceKind } : {}), ...(values.strict ? { strict: true } : {}) };

  const file = positionals[0] as string;
  let raw: unknown;
  try {
    raw = await readJson(file);
    if (values.acl || values['public-access-block'] || values['owner-canonical-id']) {
      options.s3 = {
        ...(values.acl ? { aclGrants: aclGrantsFrom(await readJson(values.acl)) } : {}),
        ...(values['public-access-block'] ? { publicAccessBlock: extractBpa(await readJson(values['public-access-block'])) } : {}),
        ...(values['owner-canonical-id'] ? { ownerCanonicalId: values['owner-canonical-id'] } : {}),
      };
    }
  } catch (error) {
    io.stderr(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }

  try {
    const doc = extractPolicyDocument(raw);
    const policy = doc === null ? null : parsePolicy(doc as object, { strict: values.strict === true });
    const analysis = analyzePolicy(policy, zone, options);
    const fix = values.fix && policy !== null ? buildMinimalFix(policy, zone, { ...options, kind: analysis.kind, fixServiceRisks: values['fix-service-risks'] === true }) : undefined;
    if (values.json) io.stdout(`${JSON.stringify(fix ? { ...analysis, minimalFix: fix } : analysis, null, 2)}\n`);
    else {
      io.stdout(formatAnalysis(analysis));
      if (fix) {
        io.stdout(`\nMinimal fix:\n${fix.changes.map((c) => `  - ${c}`).join('\n') || '  (nothing to change)'}\n`);
        io.stdout(`${fix.policy === null ? '  (delete the policy)' : JSON.stringify(fix.policy, null, 2)}\n`);
      }
    }
    return values['fail-on-exposed'] && analysis.exposed ? 1 : 0;
  } catch (error) {
    if (error instanceof RemediatorError) {
      if (values.json) io.stdout(`${JSON.stringify({ error: error.toJSON() }, null, 2)}\n`);
      io.stderr(`${error.name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

function extractBpa(raw: unknown): S3PublicAccessBlock {
  const o = (raw ?? {}) as Record<string, unknown>;
  return (o.PublicAccessBlockConfiguration ?? o) as S3PublicAccessBlock;
}

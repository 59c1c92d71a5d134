/**
 * Compile: turn a statement as read (grammar.ts) into its audience — who can
 * use it, independent of any zone of trust: principals, narrowed by the
 * conditions on keys callers cannot forge. Reason texts are built on demand.
 */
import type { Atom, Audience } from './audience';
import { ANYONE, NOBODY, narrow, withNetwork } from './audience';
import type { CompiledConditions } from './conditions';
import { compileConditions } from './conditions';
import type { Lint, StatementSyntax } from './grammar';
import type { PrincipalEntry } from './principals';
import { parsePrincipal } from './principals';
import type { StatementFacts } from './reasons';
import { actionText, publicReason } from './reasons';
import type { PolicyStatement, ResourceKind } from './types';

/** A slice of an Allow statement's actions and who can still use them after Deny statements. */
export interface ActionGroup {
  readonly actions: readonly string[];
  readonly audience: Audience;
  /** Indexes of the Deny statements that narrowed this group. */
  readonly deniedBy: readonly number[];
}

export class CompiledStatement implements StatementFacts {
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  /** The statement as written. */
  readonly raw: PolicyStatement;
  readonly principals: readonly PrincipalEntry[];
  readonly notPrincipal: boolean;
  readonly actions: readonly string[];
  readonly notAction: boolean;
  readonly resources: readonly string[] | null;
  readonly notResource: boolean;
  readonly conditions: CompiledConditions;
  /** Something could not be read as written (IAM would reject it); a doubtful Deny subtracts nothing. */
  readonly doubtful: boolean;
  /** Allow: principals narrowed by conditions, before Deny statements. Deny: NOBODY. */
  readonly audience: Audience;
  /** Allow: the audience per slice of actions after Deny statements (set by deny.ts). */
  groups: readonly ActionGroup[];
  private actionsLowerValue: readonly string[] | undefined;
  private principalTextValue: string | undefined;
  private actionTextValue: string | undefined;
  private publicTextValue: string | undefined;

  constructor(s: StatementSyntax, lint: Lint) {
    this.index = s.index;
    this.sid = s.sid;
    this.effect = s.effect;
    this.raw = s.raw;
    this.actions = s.actions;
    this.notAction = s.notAction;
    this.resources = s.resources;
    this.notResource = s.notResource;
    this.notPrincipal = s.notPrincipal;
    const notesBefore = lint.notes.length;
    this.conditions = compileConditions(s.condition, `${s.location}.Condition`, lint);
    this.principals = parsePrincipal(s.principal, this.conditions.fixed, `${s.location}.${s.notPrincipal ? 'NotPrincipal' : 'Principal'}`, lint);
    let doubtful = s.doubtful;
    for (let i = notesBefore; i < lint.notes.length; i++) if (lint.notes[i]!.rejectedByAws) doubtful = true;
    for (const p of this.principals) if (p.uncertain === true) doubtful = true;
    this.doubtful = doubtful;
    this.audience = this.effect === 'Allow' ? allowAudience(this) : NOBODY;
    this.groups = this.effect === 'Allow' ? [{ actions: this.notAction ? ALL_ACTIONS : this.actions, audience: this.audience, deniedBy: NO_DENIES }] : NO_GROUPS;
  }

  get actionsLower(): readonly string[] {
    return (this.actionsLowerValue ??= this.actions.map((a) => a.toLowerCase()));
  }

  get principalText(): string {
    if (this.principalTextValue === undefined) {
      const labels = this.principals.map((p) => p.label).join(', ');
      this.principalTextValue = this.notPrincipal ? `everyone except ${labels} (NotPrincipal)` : labels;
    }
    return this.principalTextValue;
  }

  get actionText(): string {
    return (this.actionTextValue ??= actionText(this));
  }

  /** "grants <actions> to <principals>". */
  get grantText(): string {
    return `grants ${this.actionText} to ${this.principalText}`;
  }

  /** Why the statement would be public. */
  get publicText(): string {
    return (this.publicTextValue ??= publicReason(this));
  }
}

const NO_DENIES: readonly number[] = Object.freeze([]);
const NO_GROUPS: readonly ActionGroup[] = Object.freeze([]);
const ALL_ACTIONS: readonly string[] = Object.freeze(['*']);

function allowAudience(s: CompiledStatement): Audience {
  let audience: Audience;
  if (s.notPrincipal) audience = ANYONE;
  else {
    const atoms: Atom[] = [];
    let any = false;
    for (const p of s.principals) {
      if (p.atom === null) any = true;
      else atoms.push(p.atom);
    }
    audience = any ? ANYONE : { any: false, atoms, network: null };
  }
  audience = narrow(audience, s.conditions.allowConstraint);
  if (s.conditions.network !== null) audience = withNetwork(audience, s.conditions.network);
  return audience;
}

const KIND_BY_PREFIX = new Map<string, ResourceKind>([
  ['s3', 's3'],
  ['kms', 'kms'],
  ['sqs', 'sqs'],
  ['sns', 'sns'],
  ['lambda', 'lambda'],
  ['sts', 'iam-role'],
  ['secretsmanager', 'secretsmanager'],
  ['ecr', 'ecr'],
]);

/** The kind the first action with a known service prefix suggests. */
export function inferKind(statements: readonly CompiledStatement[]): ResourceKind {
  for (const s of statements) {
    if (s.notAction) continue;
    for (const a of s.actions) {
      const colon = a.indexOf(':');
      if (colon <= 0) continue;
      const prefix = a.slice(0, colon);
      const kind = KIND_BY_PREFIX.get(prefix) ?? KIND_BY_PREFIX.get(prefix.toLowerCase());
      if (kind !== undefined) return kind;
    }
  }
  return 'generic';
}

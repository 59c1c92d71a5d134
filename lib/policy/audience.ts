/**
 * The audience of a statement: who can use it, independent of any zone of trust.
 *
 * An audience is either unbounded (`any`: anyone, including anonymous callers)
 * or a finite union of atoms. Conditions on keys that callers cannot forge
 * intersect the audience; Deny statements subtract from it. Everything here is
 * computed at parse time; the zone of trust only classifies the atoms.
 */

export type Atom =
  /** An AWS account; `org` when the caller must also belong to that organization. */
  | { readonly t: 'acct'; readonly id: string; readonly org?: string }
  /** Any account of an organization. */
  | { readonly t: 'org'; readonly id: string }
  /** An AWS service acting on behalf of any account (no confused-deputy condition). */
  | { readonly t: 'svc'; readonly id: string }
  /** An S3 canonical user id. */
  | { readonly t: 'canon'; readonly id: string }
  /** An identity that belongs to no AWS account we can name (web-identity users, an unresolvable principal). */
  | { readonly t: 'ext'; readonly id: string }
  /** An identity pinned by a fixed value and taken to be the owner's (see README: pinned identities). */
  | { readonly t: 'pin'; readonly id: string };

/** An atom (a plain object, never mutated; atoms are compared by value, see sameAtom). */
export function atom(t: Atom['t'], id: string, org?: string): Atom {
  return (org === undefined ? { t, id } : { t, id, org }) as Atom;
}

/** Is `v` a 12-digit account id? (Hot: no regular expression.) */
export function isAccountId(v: string): boolean {
  if (v.length !== 12) return false;
  for (let i = 0; i < 12; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export interface Audience {
  /** Unbounded: anyone, including anonymous callers. */
  readonly any: boolean;
  readonly atoms: readonly Atom[];
  /** Set when a fixed network condition (source IP range, VPC, VPC endpoint) confines unbounded callers. */
  readonly network: string | null;
}

export const NOBODY: Audience = Object.freeze({ any: false, atoms: Object.freeze([]) as readonly Atom[], network: null });
export const ANYONE: Audience = Object.freeze({ any: true, atoms: Object.freeze([]) as readonly Atom[], network: null });

export function isEmpty(a: Audience): boolean {
  return !a.any && a.atoms.length === 0;
}

/** A constraint from a condition: `null` = unbounded (does not narrow), otherwise the union of atoms allowed. */
export type Constraint = readonly Atom[] | null;

function sameAtom(a: Atom, b: Atom): boolean {
  return a === b || a.t === b.t && a.id === b.id && (a.t !== 'acct' || b.t !== 'acct' || a.org === b.org);
}

function pushUnique(out: Atom[], atom: Atom): void {
  for (const x of out) if (sameAtom(x, atom)) return;
  out.push(atom);
}

/**
 * Intersect one principal atom with one condition atom. Exact where the key
 * semantics are known; otherwise keeps the principal atom (over-approximates,
 * which can only over-report exposure).
 */
export function intersectAtom(a: Atom, c: Atom): Atom | null {
  switch (a.t) {
    case 'acct':
      if (c.t === 'acct') {
        if (a.id !== c.id) return null;
        if (a.org && c.org && a.org !== c.org) return null;
        return a.org || !c.org ? a : c;
      }
      if (c.t === 'org') {
        if (a.org && a.org !== c.id) return null;
        return atom('acct', a.id, c.id);
      }
      return a;
    case 'org':
      if (c.t === 'org') return a.id === c.id ? a : null;
      if (c.t === 'acct') {
        if (c.org && c.org !== a.id) return null;
        return atom('acct', c.id, a.id);
      }
      return a;
    case 'svc':
      // A service acting for a named account / organization / resource acts for that one only.
      if (c.t === 'acct' || c.t === 'org' || c.t === 'pin') return c;
      if (c.t === 'svc') return c.id === '*' || c.id === a.id ? a : null;
      return a;
    case 'canon':
      if (c.t === 'acct' || c.t === 'org') return c;
      return a;
    case 'ext':
    case 'pin':
      return a;
  }
}

/** Narrow an audience by a constraint (conditions are AND-ed with the principal). */
export function narrow(aud: Audience, c: Constraint): Audience {
  return c === null ? aud : intersectAudience(aud, c, intersectAtom);
}

function intersectAudience(aud: Audience, with_: readonly Atom[], intersect: (a: Atom, x: Atom) => Atom | null): Audience {
  const atoms: Atom[] = [];
  if (aud.any) for (const x of with_) pushUnique(atoms, x);
  for (const a of aud.atoms) {
    for (const x of with_) {
      const r = intersect(a, x);
      if (r) pushUnique(atoms, r);
    }
  }
  return { any: false, atoms, network: atoms.length === 0 ? null : aud.network };
}

/**
 * Intersect an audience atom with an atom a Deny exempts (NotPrincipal, or a negated
 * identity condition). Exact, unlike `intersectAtom`: principals of different kinds
 * are different callers (an account's principals are not a service principal, nor a
 * federated user), so only the same kind, or an account and its organization, meet.
 * Exactness keeps Deny exemptions commutative: the order of Deny statements never
 * changes the verdict.
 */
export function intersectExempt(a: Atom, x: Atom): Atom | null {
  if (a.t === 'acct' && (x.t === 'acct' || x.t === 'org')) return intersectAtom(a, x);
  if (a.t === 'org' && (x.t === 'acct' || x.t === 'org')) return intersectAtom(a, x);
  if (a.t !== x.t) return null;
  if (a.t === 'svc') return x.id === '*' || x.id === a.id ? a : a.id === '*' ? x : null;
  return a.id === x.id ? a : null;
}

/** Keep only the callers a Deny exempts: everyone else in the audience is denied. */
export function narrowToExempt(aud: Audience, exempt: readonly Atom[]): Audience {
  return intersectAudience(aud, exempt, intersectExempt);
}

/** Intersect two constraints (two condition keys, AND-ed). */
export function intersectConstraints(a: Constraint, b: Constraint): Constraint {
  if (a === null) return b;
  if (b === null) return a;
  const out: Atom[] = [];
  for (const x of a) {
    for (const y of b) {
      const r = intersectAtom(x, y);
      if (r) pushUnique(out, r);
    }
  }
  return out;
}

export function unionAtoms(target: Atom[], more: readonly Atom[]): void {
  for (const x of more) pushUnique(target, x);
}

/** Remove atoms a Deny provably covers (exact matches, and accounts of a denied organization). */
export function subtract(aud: Audience, denied: readonly Atom[]): Audience {
  if (aud.any) return aud;
  const atoms = aud.atoms.filter(
    (a) => !denied.some((d) => sameAtom(a, d) || (d.t === 'acct' && a.t === 'acct' && d.id === a.id && !d.org) || (d.t === 'org' && ((a.t === 'acct' && a.org === d.id) || (a.t === 'org' && a.id === d.id)))),
  );
  return atoms.length === aud.atoms.length ? aud : { any: false, atoms, network: atoms.length === 0 ? null : aud.network };
}

export function withNetwork(aud: Audience, network: string): Audience {
  if (isEmpty(aud) || aud.network) return aud;
  return { any: aud.any, atoms: aud.atoms, network };
}

export function describeAtom(a: Atom): string {
  switch (a.t) {
    case 'acct':
      return a.org ? `account ${a.id} (in ${a.org})` : `account ${a.id}`;
    case 'org':
      return `any account of organization ${a.id}`;
    case 'svc':
      return a.id === '*' ? 'AWS services acting for any account' : `${a.id} acting for any account`;
    case 'canon':
      return `canonical user ${a.id}`;
    case 'ext':
      return a.id;
    case 'pin':
      return a.id;
  }
}

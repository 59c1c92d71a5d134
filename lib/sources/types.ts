import type { Finding } from '../finding';

/** A finding of a multi-finding event (Security Hub) that could not be normalized; its siblings still were. */
export interface RejectedFinding {
  /** The finding id as the source gave it, or `findings[i]` when it had none. */
  id: string;
  /** `UnsupportedEventError` or `InvalidEventError`: the name the ASL would have matched. */
  errorName: string;
  /** The message, naming the field and the source. */
  error: string;
}

/** A finding of a multi-finding event that was left alone on purpose (archived product, other region, …). */
export interface IgnoredFinding {
  id: string;
  reason: string;
}

/**
 * What a normalizer makes of one event: findings to act on, or a deliberate no.
 * `rejected` and `ignored` are only set for events that carry several findings.
 */
export type NormalizeResult =
  | { kind: 'findings'; findings: Finding[]; rejected?: RejectedFinding[]; ignored?: IgnoredFinding[] }
  | { kind: 'ignored'; reason: string };

/**
 * Facts about the deployment that decide whether this copy of Remediator acts on an event,
 * always passed explicitly (nothing is read from the environment). Without `homeRegion` and
 * `deployment`, every well-formed event of the partition is normalized.
 */
export interface NormalizeOptions {
  /**
   * The partition this deployment runs in (default `aws`). A finding about a resource in
   * another partition (arn:aws-cn:…, arn:aws-us-gov:…) is refused with UnsupportedEventError:
   * no control may act on the same-named resource of this partition.
   */
  partition?: string;
  /**
   * The one region that acts on IAM findings (IAM is global: Access Analyzer reports the
   * same role in every region where an analyzer runs). Elsewhere they are ignored.
   */
  homeRegion?: string;
  /**
   * Where this copy of Remediator runs. Security Hub findings that the direct
   * rules of this deployment already deliver (same region for Access Analyzer and
   * GuardDuty, same account and region for Config) are ignored, so none is handled twice.
   */
  deployment?: { accountId: string; region: string };
}

export type Normalizer = (event: EventBridgeEnvelope, options: NormalizeOptions) => NormalizeResult;

export interface EventBridgeEnvelope {
  id: string;
  source: string;
  'detail-type': string;
  account: string;
  region: string;
  time: string;
  resources?: string[];
  detail: Record<string, unknown>;
}

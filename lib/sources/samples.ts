/**
 * Sample (test) findings, in every form the sources mark them. A sample is never acted on or
 * paged: triage ignores it unless a rule says `includeSamples`.
 * - GuardDuty: `service.additionalInfo.sample` (true or "true"), or `sample` inside the JSON
 *   text of `service.additionalInfo.value` (the API's ServiceAdditionalInfo shape);
 * - Security Hub (ASFF): the top-level `Sample` flag, or in `ProductFields` the GuardDuty field
 *   flattened to a key ending in `sample` (`aws/guardduty/service/additionalInfo/sample`, older
 *   findings `additionalInfo/sample` without the prefix), or a JSON string value that carries it.
 */

/** true, "true" (any case, trimmed): the ways a sample flag is written. */
export function isTrueFlag(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
}

/** GuardDuty's `service.additionalInfo`. */
export function isSampleInfo(info: Record<string, unknown> | undefined): boolean {
  if (!info) return false;
  if (isTrueFlag(info.sample)) return true;
  return typeof info.value === 'string' && jsonCarriesSample(info.value);
}

/** Security Hub's `ProductFields` (string to string). */
export function isSampleProductFields(fields: Record<string, string> | undefined): boolean {
  return Object.entries(fields ?? {}).some(([key, value]) => {
    const last = key.split('/').pop() ?? '';
    if (last.toLowerCase() === 'sample') return isTrueFlag(value);
    return value.trimStart().startsWith('{') && jsonCarriesSample(value);
  });
}

/** A JSON object text whose `sample` member (at the top or one level down) is a true flag. */
function jsonCarriesSample(text: string): boolean {
  if (text.length > 65_536) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof parsed !== 'object' || parsed === null) return false;
  const record = parsed as Record<string, unknown>;
  if (isTrueFlag(record.sample)) return true;
  return Object.values(record).some((inner) => typeof inner === 'object' && inner !== null && isTrueFlag((inner as Record<string, unknown>).sample));
}

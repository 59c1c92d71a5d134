/**
 * Which control a finding gets when neither a rule nor a request names one, decided from the
 * catalog's facts alone (lib/controls/catalog.ts): triage needs no implementation to choose.
 */
import type { Finding } from '../finding';
import { CONTROL_CATALOG, getControlFacts, type ControlFacts } from './catalog';
import { MAPPING_ONLY_CONTROL_IDS, mappedSourceOf, mappingFor } from './mapping';

export function controlHandles(control: ControlFacts, finding: Finding): boolean {
  if (!control.handles.resourceTypes.includes(finding.resource.type)) return false;
  return control.handles.findingTypes === undefined || control.handles.findingTypes.includes(finding.type);
}

/**
 * The default control for a finding. Config and GuardDuty findings (directly or through Security
 * Hub) get the control lib/controls/mapping.ts names for their rule or type, or none: an unmapped
 * rule or type is notified, never guessed from the resource type. Every other finding gets the first
 * control of the catalog that handles it, skipping the controls only the mapping chooses.
 */
export function findControlFor(finding: Finding): ControlFacts | undefined {
  if (mappedSourceOf(finding)) {
    const entry = mappingFor(finding);
    return entry ? getControlFacts(entry.controlId) : undefined;
  }
  return CONTROL_CATALOG.find((control) => !MAPPING_ONLY_CONTROL_IDS.has(control.id) && controlHandles(control, finding));
}

/** `remediate controls`: the corrective-control catalog, what each handles and the IAM actions it needs. */
import { parseArgs } from 'node:util';
import { CONTROL_MAPPINGS } from '../lib/controls/mapping';
import { CONTROLS } from '../lib/controls/registry';
import type { Command } from './command';
import { jsonDocument, type CliIo } from './io';

async function controls(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } } });
  if (values.json) {
    const catalog = CONTROLS.map((control) => ({
      id: control.id,
      description: control.description,
      resourceTypes: control.handles.resourceTypes,
      findingTypes: [...new Set([...(control.handles.findingTypes ?? []), ...CONTROL_MAPPINGS.filter((m) => m.controlId === control.id).map((m) => m.findingType)])],
      permissions: control.permissions,
    }));
    io.stdout(jsonDocument(catalog));
    return 0;
  }
  for (const control of CONTROLS) {
    io.stdout(`${control.id}\n  ${control.description}\n  handles: ${control.handles.resourceTypes.join(', ')}\n  IAM: ${control.permissions.join(', ')}\n`);
  }
  return 0;
}

export const controlsCommand: Command = {
  name: 'controls',
  synopsis: 'controls [--json]',
  summary: 'list the corrective controls, what they handle and the IAM actions each needs',
  help: `usage: remediate controls [--json]

Lists the corrective controls in the registry: id, what it does, the resource types and finding types it handles,
and the IAM actions it needs (the deployed role is generated from these).

  --json   [{ id, description, resourceTypes, findingTypes, permissions }]

example:
  remediate controls --json | jq -r '.[].id'
`,
  run: controls,
};

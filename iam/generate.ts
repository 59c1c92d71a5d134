/**
 * Writes iam/control-permissions.json from the control registry: the IAM
 * actions that serverless.yml grants the workflow role for corrective
 * controls. Run `npm run generate:iam` after adding a control; a deploy test
 * fails while the file and the registry disagree.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { controlPermissionsDocument } from './permissions';

const target = fileURLToPath(new URL('./control-permissions.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(controlPermissionsDocument(), null, 2)}\n`);
process.stdout.write(`wrote ${target}\n`);

/**
 * Writes, from the control catalog (lib/controls/catalog.ts), the IAM actions that corrective controls
 * need, twice: iam/control-permissions.json (serverless.yml grants it to the
 * workflow role) and iam/member-role.yaml (the member role's StackSet template,
 * with the same document). Run `npm run generate:iam` after adding a control;
 * deploy tests fail while the files and the catalog disagree.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { memberRoleTemplateText } from './member-role';
import { controlPermissionsDocument } from './permissions';

const permissions = fileURLToPath(new URL('./control-permissions.json', import.meta.url));
writeFileSync(permissions, `${JSON.stringify(controlPermissionsDocument(), null, 2)}\n`);
process.stdout.write(`wrote ${permissions}\n`);

const memberRole = fileURLToPath(new URL('./member-role.yaml', import.meta.url));
writeFileSync(memberRole, memberRoleTemplateText());
process.stdout.write(`wrote ${memberRole}\n`);

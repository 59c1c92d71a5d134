/**
 * The state machine definition, as serverless.yml deploys it: the one ASL file,
 * with each `{"Fn::GetAtt": [functionKey, "Arn"]}` replaced by that function's
 * ARN — what CloudFormation does on deploy. Nothing else is changed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ASL_PATH = fileURLToPath(new URL('../statemachines/remediation.asl.json', import.meta.url));

export function readDefinition(): Record<string, unknown> {
  return JSON.parse(readFileSync(ASL_PATH, 'utf8')) as Record<string, unknown>;
}

export function functionKeysIn(node: unknown, keys = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((child) => functionKeysIn(child, keys));
  else if (node && typeof node === 'object') {
    const getAtt = (node as Record<string, unknown>)['Fn::GetAtt'];
    if (Array.isArray(getAtt)) keys.add(String(getAtt[0]));
    else Object.values(node).forEach((child) => functionKeysIn(child, keys));
  }
  return keys;
}

export function resolveDefinition(definition: unknown, functionArns: Record<string, string>): unknown {
  if (Array.isArray(definition)) return definition.map((child) => resolveDefinition(child, functionArns));
  if (definition && typeof definition === 'object') {
    const entries = Object.entries(definition);
    const first = entries[0];
    if (entries.length === 1 && first && first[0].startsWith('Fn::')) {
      const [fn, args] = first;
      if (fn === 'Fn::GetAtt' && Array.isArray(args) && args[1] === 'Arn') {
        const arn = functionArns[String(args[0])];
        if (!arn) throw new Error(`the ASL references function "${String(args[0])}", which the local stack does not host`);
        return arn;
      }
      throw new Error(`the local stack cannot resolve ${fn} in the ASL`);
    }
    return Object.fromEntries(entries.map(([key, value]) => [key, resolveDefinition(value, functionArns)]));
  }
  return definition;
}

/** Contract tests over the whole catalog: every control must declare what it needs. */
import { describe, expect, it } from 'vitest';
import { CONTROLS, getControl } from '../../../lib/controls/registry';

describe.each(CONTROLS.map((control) => [control.id, control] as const))('control %s', (id, control) => {
  it('has a kebab-case verb-object id and a description', () => {
    expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)+$/);
    expect(control.description.length).toBeGreaterThan(20);
  });

  it('declares the resource types it handles, as CloudFormation types', () => {
    expect(control.handles.resourceTypes.length).toBeGreaterThan(0);
    for (const type of control.handles.resourceTypes) expect(type).toMatch(/^AWS::\w+::\w+$/);
  });

  it('declares exact IAM actions, never a wildcard', () => {
    expect(control.permissions.length).toBeGreaterThan(0);
    for (const action of control.permissions) expect(action).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z]+$/);
  });

  it('can snapshot, plan, write, verify and restore', () => {
    for (const step of ['snapshot', 'plan', 'write', 'verify', 'restore'] as const) expect(typeof control[step]).toBe('function');
  });
});

describe('the registry', () => {
  it('names an unknown control in a ControlNotFoundError', () => {
    expect(() => getControl('s3-make-it-so')).toThrow(expect.objectContaining({ name: 'ControlNotFoundError', message: expect.stringContaining('s3-make-it-so') }));
  });
});

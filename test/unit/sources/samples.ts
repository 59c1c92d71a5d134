/** The sample events of events/<source>/<case>.json, loaded once, for the unit and emulator tests. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NormalizeOptions } from '../../../lib/sources';

export const EVENTS_DIR = fileURLToPath(new URL('../../../events', import.meta.url));

export interface Sample {
  /** `<source>/<case>`, e.g. `access-analyzer/s3-bucket-public`. */
  name: string;
  event: Record<string, unknown>;
}

export function loadSamples(): Sample[] {
  return readdirSync(EVENTS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((dir) =>
      readdirSync(join(EVENTS_DIR, dir.name))
        .filter((file) => file.endsWith('.json'))
        .map((file) => ({
          name: `${dir.name}/${file.replace(/\.json$/, '')}`,
          event: JSON.parse(readFileSync(join(EVENTS_DIR, dir.name, file), 'utf8')) as Record<string, unknown>,
        })),
    )
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function sample(name: string): Record<string, unknown> {
  const found = loadSamples().find((entry) => entry.name === name);
  if (!found) throw new Error(`no sample event ${name}`);
  return structuredClone(found.event);
}

/** The deployment the samples are written for: account 123456789012, us-east-1, which is also the home region. */
export const DEPLOYMENT: NormalizeOptions = { homeRegion: 'us-east-1', deployment: { accountId: '123456789012', region: 'us-east-1' } };
export const PATTERN_CONTEXT = { accountId: '123456789012', region: 'us-east-1', homeRegion: 'us-east-1' };

/** The default workspace folder: $SNGAN_WORKSPACE, else ~/Documents/SNGAN Studio (or ~/SNGAN Studio). */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultWorkspace(): string {
  if (process.env.SNGAN_WORKSPACE) return process.env.SNGAN_WORKSPACE;
  const docs = join(homedir(), 'Documents');
  return join(existsSync(docs) ? docs : homedir(), 'SNGAN Studio');
}

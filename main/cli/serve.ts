/** `sngan-studio serve`: web mode on 127.0.0.1 with a token in the printed URL. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServices } from '../services/services';
import { startWebServer } from '../server/server';
import { defaultWorkspace } from '../services/workspace';
import { intFlag, parseFlags } from './args';

export const serveHelp = `sngan-studio serve [--port P] [--workspace DIR] [--backend NAME]
  Serve the app on http://127.0.0.1:P for a browser. Prints a URL with the token; requests without it get 401.`;

/** The built renderer: out/renderer next to the bundle, or under the repo when run from source. */
export function rendererDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', 'renderer'), resolve(here, '..', '..', 'out', 'renderer'), resolve(process.cwd(), 'out', 'renderer')];
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[1]!;
}

export async function serveCommand(argv: string[]): Promise<number> {
  const { flags } = parseFlags(argv, { port: 'string', workspace: 'string', backend: 'string', help: 'boolean' });
  if (flags.help) {
    console.log(serveHelp);
    return 0;
  }
  const port = intFlag(flags.port, 'port', 0);
  const workspace = (flags.workspace as string | undefined) ?? defaultWorkspace();
  const dir = rendererDir();
  if (!existsSync(join(dir, 'index.html'))) {
    console.error(`The renderer is not built (no ${join(dir, 'index.html')}). Run \`npm run build\` first.`);
    return 1;
  }
  const services = createServices({ workspace, transport: 'web', backend: flags.backend as string | undefined });
  const server = await startWebServer({ services, rendererDir: dir, port });
  console.log(`SNGAN Studio (web mode) — workspace ${services.workspace}`);
  console.log(`Open: ${server.url}`);
  const shutdown = async () => {
    await server.close();
    await services.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return new Promise<number>(() => {
    /* runs until a signal */
  });
}

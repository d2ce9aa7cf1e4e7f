/** `sngan-studio <command>`: the headless face of the app. */
import { UsageError } from './cli/args';
import { serveCommand, serveHelp } from './cli/serve';
import { importCommand } from './cli/import';
import { trainCommand } from './cli/train';

type Command = { summary: string; run: (argv: string[]) => Promise<number> };

const commands: Record<string, Command> = {
  import: { summary: 'import <path…> --workspace DIR [--size 32] [--channels 1|3] [--name N] [--json]   import images, archives, IDX, CIFAR, npy', run: importCommand },
  train: { summary: 'train --dataset <id|path|builtin:NAME> --workspace DIR --steps N [--set k=v…] [--config f.json] [--resume RUN] [--json]', run: trainCommand },
  serve: { summary: serveHelp.split('\n')[0]!.replace('sngan-studio ', ''), run: serveCommand },
};

export function helpText(): string {
  const lines = Object.values(commands).map((c) => `  ${c.summary}`);
  return `SNGAN Studio — train spectrally normalized GANs\n\nUsage: sngan-studio <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun \`sngan-studio <command> --help\` for a command's options.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(helpText());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    const { appVersion } = await import('./services/services');
    console.log(appVersion());
    return 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`sngan-studio: unknown command '${name}'.\n\n${helpText()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`sngan-studio ${name}: ${err.message}`);
      return 2;
    }
    console.error(`sngan-studio ${name}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

const invokedDirectly = process.argv[1] && /cli\.(ts|js)$/.test(process.argv[1]);
if (invokedDirectly) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

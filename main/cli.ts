/** `sngan-studio <command>`: the headless face of the app. */
import { UsageError } from './cli/args';
import { serveCommand, serveHelp } from './cli/serve';
import { importCommand, importHelp } from './cli/import';
import { trainCommand, trainHelp } from './cli/train';
import { exportCommand, exportHelp } from './cli/export';
import { sampleCommand, sampleHelp } from './cli/sample';
import { evalCommand, evalHelp } from './cli/evaluate';
import { compareCommand, compareHelp } from './cli/compare';
import { packageCommand, packageHelp } from './cli/package';
import { runsCommand, runsHelp } from './cli/runs';

type Command = { help: string; run: (argv: string[]) => Promise<number> };

const commands: Record<string, Command> = {
  import: { help: importHelp, run: importCommand },
  train: { help: trainHelp, run: trainCommand },
  compare: { help: compareHelp, run: compareCommand },
  package: { help: packageHelp, run: packageCommand },
  runs: { help: runsHelp, run: runsCommand },
  export: { help: exportHelp, run: exportCommand },
  sample: { help: sampleHelp, run: sampleCommand },
  eval: { help: evalHelp, run: evalCommand },
  serve: { help: serveHelp, run: serveCommand },
  bench: { help: 'sngan-studio bench [--json] [--only cnn32,dcgan28,mlp2d,sn-overhead,aug-overhead,sample,peak] [--repeats N] [--threads 1,2] [--engines tfjs,onnxruntime] [--torch-python PATH] [--tf-python PATH] [--no-torch] [--all-backends]', run: benchCommand },
};

/** The benchmark runs in a process of its own so its timings see a fresh tfjs engine. */
async function benchCommand(argv: string[]): Promise<number> {
  const { fork } = await import('node:child_process');
  const { nodeEntry } = await import('./processes/entries');
  const entry = nodeEntry('bench');
  const child = fork(entry.path, argv, { execArgv: entry.execArgv, stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

export function helpText(): string {
  const lines = Object.values(commands).map((c) => `  ${c.help.split('\n')[0]!.replace(/^sngan-studio /, '')}`);
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

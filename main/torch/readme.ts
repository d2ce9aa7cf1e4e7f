/** The README.md inside a package: what is in it and the exact commands to train it elsewhere. */
import type { TrainConfig } from '../../shared/config';

export function packageReadme(o: { config: TrainConfig; dataset: string; from?: { run: string; step: number }; appVersion: string }): string {
  const c = o.config;
  const from = o.from ? `\nIt continues run \`${o.from.run}\` from its checkpoint at step ${o.from.step} (\`init.ckpt\`: weights, Adam state, SN vectors).\n` : '';
  return `# SNGAN Studio — PyTorch package

Written by SNGAN Studio ${o.appVersion}. Trains the GAN configured in \`config.json\` (dataset \`${o.dataset}\`,
architecture \`${c.arch}\`, D stabiliser \`${c.d.norm}\`, ${c.steps} steps) with PyTorch, writing a run folder the app
opens, watches, resumes and exports like one of its own.
${from}
Needs Python 3 and PyTorch (\`torch\`), nothing else (e.g. Debian/Ubuntu: \`apt install python3-torch\`).

## Commands

\`\`\`sh
python3 train.py                                  # one process; --device cpu|cuda (default: cuda when there is one)
python3 train.py --nproc 4 --device cuda          # 4 ranks on this machine (DDP; nccl on GPUs, gloo on CPU)
torchrun --nproc_per_node 4 train.py --device cuda
torchrun --nnodes 2 --node_rank R --nproc_per_node 8 --master_addr HOST --master_port 29500 train.py --device cuda
python3 train.py --resume                         # continue the newest run under runs/ from its last checkpoint
python3 train.py --resume runs/<id> --steps 20000 # continue a given run, to a new total
\`\`\`

Debian's \`torchrun\` on Python 3.11 crashes at start unless given log redirection flags:
\`torchrun --redirects 1 --tee 1 --log_dir LOGS --nproc_per_node 4 train.py\`.

Runs go to \`runs/<id>/\` (\`--out DIR\` to change). Open this package folder in the app as a workspace, or
copy a run folder into a workspace's \`runs/\`; \`sngan-studio export --run runs/<id> --format onnx|tfjs|pytorch …\`
exports its generator.

## Batch size

\`batch\` (${c.batch}) is the GLOBAL batch, as in the app: with N ranks each computes ${c.batch}/N samples per step
(it must divide evenly), gradients are averaged over ranks, and every rank draws its slice of the same global batch
and latents, and batch norm takes its statistics over the global batch (an all-reduce per BN layer, on GPU and CPU
alike; \`--no-sync-bn\` keeps them per rank: faster, but another GAN than the app's) — so a run means the same on 1 or
64 GPUs. Scale \`batch\` (and perhaps \`lr\`) yourself to use more GPUs.

## What is here

- \`config.json\` — the run's full config (the app's TrainConfig); edit it before training if you like.
- \`datasets/\` — the training data as the app stores it (packed uint8 pixels, labels, manifest); 2D toys are generated.
- \`train.py\`, \`sngan/\` — the PyTorch engine: the app's models, spectral norm (u per layer, ${c.sn.iters} power
  iteration(s) per training forward, output axis as rows), losses, checkpoint format and run-folder format.
- \`runs/\` — appears when you train.

Rank 0 alone writes the run folder; a rank that fails marks the run \`failed\` with its error, and the job exits non-zero.
`;
}

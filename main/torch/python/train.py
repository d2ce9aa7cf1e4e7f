#!/usr/bin/env python3
"""Train this package's GAN with PyTorch, writing an SNGAN Studio run folder the app opens, shows and exports.

  python3 train.py                              one process (--device cpu|cuda)
  python3 train.py --nproc 4 --device cuda      4 ranks on this machine (spawned here; nccl, or gloo on CPU)
  torchrun --nproc_per_node 4 train.py          ranks started by torchrun (reads RANK, WORLD_SIZE, LOCAL_RANK)
  python3 train.py --resume [RUN_DIR]           continue a run (default: the newest under --out) from its checkpoint

SIGTERM or Ctrl-C stops at the next step with a checkpoint (status "stopped"); --resume continues from it.
`batch` in config.json is the GLOBAL batch: with N ranks each computes batch/N samples per step, and batch norm
takes its statistics over all of them (--no-sync-bn: over each rank's slice), so a run means the same thing on 1 or
64 GPUs. Needs torch and the standard library only.
"""
import argparse
import json
import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402

from sngan import data as datasets, dist, loop, runfolder  # noqa: E402
from sngan.trainer import Trainer  # noqa: E402


def parse(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=os.path.join(HERE, "runs"), help="folder of run folders (default: ./runs)")
    p.add_argument("--config", default=os.path.join(HERE, "config.json"))
    p.add_argument("--datasets", default=os.path.join(HERE, "datasets"), help="folder holding datasets/<id>/")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--nproc", type=int, default=1, help="ranks to spawn on this machine")
    p.add_argument("--resume", nargs="?", const="", default=None, metavar="RUN_DIR")
    p.add_argument("--steps", type=int, help="total steps (extends a resumed run)")
    p.add_argument("--no-sync-bn", dest="sync_bn", action="store_false",
                   help="with several ranks, batch norm over each rank's slice instead of the global batch (faster, not the app's GAN)")
    p.add_argument("--init", default=os.path.join(HERE, "init.ckpt"),
                   help="checkpoint a new run starts from: weights, SN vectors, Adam, EMA, step (default: init.ckpt when the package has one)")
    p.add_argument("--run-id", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def prepare_run(a):
    """The run folder: a new one under --out, or the one to resume (its temp files swept, later events cut)."""
    if a.resume is None:
        with open(a.config) as f:
            config = json.load(f)
        if a.steps:
            config["steps"] = a.steps
        return runfolder.create_run(a.out, config, a.run_id), False
    run_dir = a.resume
    if not run_dir:
        runs = sorted((os.path.getmtime(os.path.join(a.out, n, "status.json")), os.path.join(a.out, n))
                      for n in (os.listdir(a.out) if os.path.isdir(a.out) else [])
                      if os.path.exists(os.path.join(a.out, n, "status.json")))
        if not runs:
            raise SystemExit(f"--resume: no run folders in {a.out}")
        run_dir = runs[-1][1]
    runfolder.sweep_temp_files(run_dir)
    if a.steps:
        config = runfolder.read_json(os.path.join(run_dir, "config.json"))
        config["steps"] = a.steps
        runfolder.atomic_write(os.path.join(run_dir, "config.json"), json.dumps(config, indent=2) + "\n")
    return run_dir, True


def worker(rank, world, local_rank, a, prepared=None):
    """One rank. `prepared` (run folder, resume?) comes from the spawning parent; under torchrun rank 0 makes it."""
    stop = loop.StopRequest().install()  # from the start: a Stop during data loading still ends cleanly
    device = dist.device_for(a.device, local_rank)
    dist.init(rank, world, device)
    run_dir = None
    try:
        if prepared is None:
            prepared = dist.broadcast(prepare_run(a) if rank == 0 else None, rank, world)
        run_dir, resume = prepared
        config = runfolder.read_json(os.path.join(run_dir, "config.json"))
        data = datasets.load(config["dataset"], a.datasets)
        tr = Trainer(config, data, device, rank, world, sync_bn=a.sync_bn)
        ck = runfolder.latest_checkpoint(run_dir) if resume else None
        if ck:
            with open(ck[1], "rb") as f:
                tr.load_bytes(f.read())
            if rank == 0:
                runfolder.truncate_metrics(run_dir, ck[0])
        elif not resume and a.init and os.path.exists(a.init):  # a package that continues a run
            with open(a.init, "rb") as f:
                tr.load_bytes(f.read())
        backend = f"pytorch {torch.__version__} {device.split(':')[0]} x{world}"
        say = print if rank == 0 else (lambda *_, **__: None)
        say(f"run {run_dir} ({backend}, global batch {config['batch']}, {tr.local} per rank)", flush=True)
        loop.run(tr, run_dir, config["steps"], backend, lambda m: say(m, flush=True), stop)
        dist.finish(world)
    except BaseException as err:
        if run_dir and not isinstance(err, (KeyboardInterrupt, SystemExit)):
            loop.report_failure(run_dir, f"rank {rank}: {err}")
        raise
    finally:
        dist.close(world)


def _spawned(rank, world, a, prepared):
    worker(rank, world, rank, a, prepared)


def main(argv=None):
    a = parse(argv if argv is not None else sys.argv[1:])
    env = dist.torchrun_env()
    if env:  # torchrun: rank 0 prepares the run folder, every rank learns which; torchrun reports failures
        worker(*env, a)
        return 0
    prepared = prepare_run(a)
    run_dir = prepared[0]
    if a.nproc <= 1:
        try:
            worker(0, 1, 0, a, prepared)
        except KeyboardInterrupt:
            runfolder.update_status(run_dir, state="stopped")
            return 130
        except Exception:
            traceback.print_exc()
            return 1
        return 0
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ["MASTER_PORT"] = str(dist.free_port())
    import signal
    import torch.multiprocessing as mp
    try:
        ctx = mp.spawn(_spawned, args=(a.nproc, a, prepared), nprocs=a.nproc, join=False)

        def forward_stop(*_):  # every rank stops at the same step and checkpoints; this process waits for them
            for p in ctx.processes:
                if p.is_alive():
                    os.kill(p.pid, signal.SIGTERM)
        signal.signal(signal.SIGTERM, forward_stop)
        signal.signal(signal.SIGINT, forward_stop)
        while not ctx.join():
            pass
    except Exception as err:  # a rank raised or died (a signal): the others are ended by spawn
        loop.report_failure(run_dir, str(err).strip().splitlines()[-1] if str(err).strip() else repr(err))
        print(f"train.py: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

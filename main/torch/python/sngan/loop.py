"""The training loop of one rank: log, snapshot, checkpoint on the app's schedule; rank 0 alone writes the run
folder, except that a rank which fails reports its own error there before the job goes down. SIGTERM (the app's
Stop, a scheduler's pre-emption, Ctrl-C on the launcher) ends the loop at the next step boundary with a checkpoint
and status "stopped", so `--resume` continues exactly there."""
import os
import signal
import time

from . import dist, png, runfolder
from .trainer import NonFinite, Trainer


class StopRequest:
    """Set by SIGTERM/SIGINT in this process; the loop acts on it between steps (never inside one)."""

    def __init__(self):
        self.asked = False

    def install(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._ask)
        return self

    def _ask(self, *_):
        self.asked = True


def _test_fault(rank, step):
    """SNGAN_TEST_FAULT=rank:step:raise|kill — a deliberate failure, for the package's own tests."""
    spec = os.environ.get("SNGAN_TEST_FAULT")
    if not spec:
        return
    r, s, how = spec.split(":")
    if int(r) == rank and int(s) == step:
        if how == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        raise RuntimeError(f"test fault on rank {rank} at step {step}")


def _snapshot(tr, run_dir, step):
    x = tr.sample()
    if tr.data.kind == "points":
        real, _ = tr.data.batch(tr.config["seed"], -1, 500)
        modes = tr.data.modes.tolist()
        pts = {"fake": [round(v, 4) for v in x.flatten().tolist()], "real": [round(v, 4) for v in real.flatten().tolist()], "modes": modes}
        return runfolder.write_sample(run_dir, step, png.scatter(x, modes, real), pts)
    return runfolder.write_sample(run_dir, step, png.image_grid(x))


def _checkpoint(tr, run_dir):
    tr.sync_stats()
    if tr.rank == 0:
        p = runfolder.write_checkpoint(run_dir, tr.step, tr.state_bytes(), tr.config.get("keepCheckpoints", 3))
        runfolder.append_event(run_dir, {"type": "checkpoint", "step": tr.step, "path": p})
        runfolder.update_status(run_dir, step=tr.step)


def run(tr: Trainer, run_dir, steps, backend, log=print, stop=None):
    """Train to `steps`; returns the step reached. With `stop` (a StopRequest), a request ends the run early:
    every rank agrees on the same step, checkpoints there, and the status says "stopped"."""
    c, lead = tr.config, tr.rank == 0
    tr.total_steps = max(tr.total_steps, steps)
    if lead:
        runfolder.update_status(run_dir, state="running", step=tr.step, steps=steps, backend=backend)
    t0, s0 = time.time(), tr.step
    try:
        while tr.step < steps:
            if stop is not None and dist.any_rank(stop.asked, tr.world):
                if tr.step > s0 and tr.step % c["checkpointEvery"] != 0:  # else this step's checkpoint exists already
                    _checkpoint(tr, run_dir)
                if lead:
                    runfolder.update_status(run_dir, state="stopped", step=tr.step)
                    log(f"stopped at step {tr.step} (checkpoint written; --resume continues here)")
                return tr.step
            s = tr.step + 1
            log_now = s % c["logEvery"] == 0 or s == steps
            stats = tr.train_step(log_now)
            losses = tr.reduce_losses(stats) if log_now else None  # collective: every rank joins
            if s % c["sampleEvery"] == 0 or s == steps:
                tr.sync_stats()
                if lead:
                    runfolder.append_event(run_dir, {"type": "sample", "step": s, "path": _snapshot(tr, run_dir, s)})
            if log_now and lead:
                layers, bound = tr.diagnostics()
                runfolder.append_event(run_dir, {"type": "metrics", "step": s, **losses, "layers": layers, "lipschitzBound": bound, "lr": tr.lr})
                rate = (s - s0) / max(1e-9, time.time() - t0)
                log(f"step {s}/{steps}  D {losses['dLoss']:.4f}  G {losses['gLoss']:.4f}  {rate:.2f} it/s")
            if s % c["checkpointEvery"] == 0 or s == steps:
                _checkpoint(tr, run_dir)
            _test_fault(tr.rank, s)
    except NonFinite as err:
        report_failure(run_dir, str(err), err.step, err.layer, "non_finite")
        raise
    except Exception as err:
        report_failure(run_dir, f"rank {tr.rank}: {err}", tr.step, None, "trainer_failed")
        raise
    dump = os.environ.get("SNGAN_RANK_DUMP")
    if dump:  # every rank's full state (weights, SN u and v), for the tests that compare ranks
        runfolder.atomic_write(os.path.join(dump, f"rank-{tr.rank}.ckpt"), tr.state_bytes())
    if lead:
        runfolder.update_status(run_dir, state="finished", step=tr.step)
    return tr.step


def report_failure(run_dir, message, step=None, layer=None, code="trainer_failed"):
    """Error event + failed status. The first reporter wins (an exclusive marker file): the rank that failed first
    names the cause; the others only see its consequences (a closed connection)."""
    try:
        marker = os.path.join(run_dir, f".failure{runfolder.TMP_MARK}reported")  # swept with temp files on resume
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return
        ev = {"type": "error", "message": message, "code": code}
        if step is not None:
            ev["step"] = step
        if layer:
            ev["layer"] = layer
        runfolder.append_event(run_dir, ev)
        patch = {"state": "failed", "error": message}
        if step is not None and code == "non_finite":
            patch.update(errorStep=step, errorLayer=layer)
        runfolder.update_status(run_dir, **patch)
    except Exception:  # reporting must never mask the failure itself
        pass


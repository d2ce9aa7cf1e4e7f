"""The run folder, format version 1 (main/runs/FORMAT.md), as the app's runs/store.ts writes it.

config.json (the TrainConfig, verbatim), status.json, metrics.jsonl (one event per line, with `time`),
samples/step-<n>.png (+ step-<n>.json for 2D runs), checkpoints/step-<n>.ckpt (newest `keepCheckpoints` kept).
Every file but metrics.jsonl is written to `.<name>.tmp-<pid>-<hex>` beside it, fsynced and renamed.
"""
import datetime
import json
import os
import re
import secrets
import time

TMP_MARK = ".tmp-"
CKPT_RE = re.compile(r"^step-(\d+)\.ckpt$")


def atomic_write(path, data):
    if isinstance(data, str):
        data = data.encode()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}{TMP_MARK}{os.getpid()}-{secrets.token_hex(4)}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(time.time() * 1000) % 1000:03d}Z"


def make_id(dataset):
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    ds = re.sub(r"[^A-Za-z0-9._-]+", "-", re.sub(r"^builtin:", "", dataset))[:40] or "run"
    return f"{stamp}-{ds}-{secrets.token_hex(2)}"


def create_run(runs_dir, config, run_id=None):
    run_id = run_id or make_id(config["dataset"])
    d = os.path.join(runs_dir, run_id)
    os.makedirs(os.path.join(d, "samples"), exist_ok=True)
    os.makedirs(os.path.join(d, "checkpoints"), exist_ok=True)
    now = _now_iso()
    atomic_write(os.path.join(d, "config.json"), json.dumps(config, indent=2) + "\n")
    status = {"id": run_id, "state": "created", "step": 0, "steps": config["steps"], "dataset": config["dataset"],
              "createdAt": now, "updatedAt": now}
    atomic_write(os.path.join(d, "status.json"), json.dumps(status, indent=2) + "\n")
    return d


def read_json(path):
    with open(path) as f:
        return json.load(f)


def update_status(run_dir, **patch):
    """Merge a patch into status.json; a state other than failed/paused without an error clears the old one."""
    p = os.path.join(run_dir, "status.json")
    try:
        cur = read_json(p)
    except (OSError, ValueError):
        cur = {"id": os.path.basename(run_dir), "state": "created", "step": 0, "steps": 0, "dataset": "", "createdAt": _now_iso()}
    nxt = {**cur, **patch, "updatedAt": _now_iso()}
    if patch.get("state") not in (None, "failed", "paused") and "error" not in patch:
        for k in ("error", "errorStep", "errorLayer"):
            nxt.pop(k, None)
    atomic_write(p, json.dumps(nxt, indent=2) + "\n")
    return nxt


def append_event(run_dir, event):
    """One whole line per event; a torn last line from a crashed writer is ended first."""
    p = os.path.join(run_dir, "metrics.jsonl")
    lead = ""
    if os.path.exists(p) and os.path.getsize(p) > 0:
        with open(p, "rb") as f:
            f.seek(-1, os.SEEK_END)
            lead = "" if f.read(1) == b"\n" else "\n"
    with open(p, "a") as f:
        f.write(lead + json.dumps({**event, "time": int(time.time() * 1000)}, allow_nan=False) + "\n")


def truncate_metrics(run_dir, step):
    """Drop events after `step` (a run resuming from an earlier checkpoint), skipping torn lines."""
    p = os.path.join(run_dir, "metrics.jsonl")
    if not os.path.exists(p):
        return
    keep = []
    with open(p) as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if not isinstance(e.get("step"), int) or e["step"] <= step:
                keep.append(json.dumps(e) + "\n")
    atomic_write(p, "".join(keep))


def sweep_temp_files(run_dir):
    for sub in ("", "checkpoints", "samples"):
        d = os.path.join(run_dir, sub)
        for name in os.listdir(d) if os.path.isdir(d) else []:
            if TMP_MARK in name:
                os.remove(os.path.join(d, name))


def sample_path(run_dir, step):
    return os.path.join(run_dir, "samples", f"step-{step}.png")


def write_sample(run_dir, step, png, points=None):
    """The 2D snapshot's JSON first: when the PNG (which lists the step) appears, its data is already there."""
    if points is not None:
        atomic_write(os.path.join(run_dir, "samples", f"step-{step}.json"), json.dumps(points))
    p = sample_path(run_dir, step)
    atomic_write(p, png)
    return p


def list_checkpoints(run_dir):
    d = os.path.join(run_dir, "checkpoints")
    names = os.listdir(d) if os.path.isdir(d) else []
    found = [(int(m.group(1)), os.path.join(d, n)) for n in names for m in [CKPT_RE.match(n)] if m]
    return sorted(found)


def latest_checkpoint(run_dir):
    all_ = list_checkpoints(run_dir)
    return all_[-1] if all_ else None


def write_checkpoint(run_dir, step, data, keep=3):
    p = os.path.join(run_dir, "checkpoints", f"step-{step}.ckpt")
    atomic_write(p, data)
    for _, old in list_checkpoints(run_dir)[:-keep]:
        os.remove(old)
    return p

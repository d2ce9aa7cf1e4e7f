"""Process groups: one process, `--nproc N` ranks spawned here (torch.multiprocessing), or ranks that torchrun
started (RANK / WORLD_SIZE / LOCAL_RANK in the environment). gloo on CPU, nccl on CUDA."""
import os
import socket
import sys

import torch
import torch.distributed as dist


def torchrun_env():
    """(rank, world, local_rank) when started by torchrun (or any launcher that sets the variables), else None."""
    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:
        return int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), int(os.environ.get("LOCAL_RANK", 0))
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def device_for(kind, local_rank):
    if kind == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError("--device cuda, but torch sees no CUDA device")
        torch.cuda.set_device(local_rank % torch.cuda.device_count())
        return f"cuda:{local_rank % torch.cuda.device_count()}"
    return "cpu"


def init(rank, world, device):
    if world > 1:
        if device == "cpu" and "OMP_NUM_THREADS" not in os.environ:
            # ranks spawned here share the machine's cores (torchrun sets 1 itself): oversubscribed spinning
            # threads make every collective wait on a descheduled peer
            local = int(os.environ.get("LOCAL_WORLD_SIZE", world))
            torch.set_num_threads(max(1, (os.cpu_count() or 1) // local))
        dist.init_process_group("nccl" if device.startswith("cuda") else "gloo", rank=rank, world_size=world)


def broadcast(obj, rank, world):
    """rank 0's value of a picklable object, on every rank."""
    if world == 1:
        return obj
    box = [obj if rank == 0 else None]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def any_rank(flag, world):
    """True on every rank when `flag` is true on any (a stop request reaches ranks at different steps)."""
    if world == 1:
        return bool(flag)
    t = torch.tensor([1.0 if flag else 0.0])
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return t.item() > 0


def finish(world):
    """A rank's clean end: wait for every rank, then leave without tearing the groups down. Destroying gloo groups
    (and DDP's hold on them) as ranks exit hangs now and then (pytorch issue 75097; here about 1 run in 16 on a
    busy 2-core box, the finished run's last rank never exiting). Nothing is left to do by then: rank 0 wrote the
    run folder before the barrier."""
    if world > 1:
        dist.barrier()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def close(world):
    if world > 1 and dist.is_initialized():
        dist.destroy_process_group()

"""Process groups: one process, `--nproc N` ranks spawned here (torch.multiprocessing), or ranks that torchrun
started (RANK / WORLD_SIZE / LOCAL_RANK in the environment). gloo on CPU, nccl on CUDA."""
import os
import socket

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


def close(world):
    if world > 1 and dist.is_initialized():
        dist.destroy_process_group()

"""Reading a run's config.json (the app's TrainConfig, shared/config.ts) and resolving its 'auto' choices.

The config is kept verbatim (the app reopens the run with a strict schema); everything here only reads it.
"""
PRESETS = {  # Miyato et al. 2018, Table 1: lr, beta1, beta2, n_dis
    "A": (1e-4, 0.5, 0.9, 5),
    "B": (1e-4, 0.5, 0.999, 1),
    "C": (2e-4, 0.5, 0.999, 1),
    "D": (1e-3, 0.5, 0.9, 5),
    "E": (1e-3, 0.5, 0.999, 5),
    "F": (1e-3, 0.9, 0.999, 5),
}


def resolve(config, kind):
    """Effective settings for 'points' or 'images' data, as shared/config.ts resolveForData + resolveOptim."""
    points = kind == "points"
    loss = config.get("loss", "auto")
    preset = config.get("preset", "auto")
    preset = ("D" if points else "C") if preset == "auto" else preset
    lr, b1, b2, ndis = PRESETS[preset]
    return {
        "loss": ("ns" if points else "hinge") if loss == "auto" else loss,
        "preset": preset,
        "zdim": config.get("zdim") or (8 if points else 128),
        "lr": config.get("lr", lr),
        "beta1": config.get("beta1", b1),
        "beta2": config.get("beta2", b2),
        "ndis": config.get("ndis", ndis),
        # 'auto' is linear decay only for the ResNet recipe (which the package refuses for now), else constant
        "lrDecay": "none" if config.get("lrDecay", "auto") == "auto" else config["lrDecay"],
    }


def resolve_arch(arch, shape):
    if arch != "auto":
        return arch
    if len(shape) == 1:
        return "mlp"
    auto = {28: "dcgan28", 32: "cnn32", 64: "cnn64"}
    if shape[0] not in auto:
        raise ValueError(f"no default architecture for {shape} data (use 28, 32 or 64 pixels)")
    return auto[shape[0]]


def model_spec(config, shape, classes):
    eff = resolve(config, "points" if len(shape) == 1 else "images")
    return {
        "arch": resolve_arch(config.get("arch", "auto"), shape),
        "zdim": eff["zdim"],
        "data_shape": list(shape),
        "classes": classes if config.get("conditional") else 0,
        "d_norm": config["d"]["norm"],
        "d_ch": config["d"].get("ch", 0),
        "g_ch": config["g"].get("ch", 0),
        "sn_iters": config["sn"]["iters"],
    }

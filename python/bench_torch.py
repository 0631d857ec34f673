"""The PyTorch peer of `induction-lab bench`: milliseconds per training step of the lab's Transformer.

The model is python/induction_lab_torch.py's LabTransformer (the lab's TransformerModel line for line), at
the hyperparameters given (the lab passes a preset's), trained with Adam on random tokens of the same
batch and length: the same work as one of the lab's steps, done by PyTorch eager. On a GPU if torch sees
one (or --device), else on the CPU with --threads threads. Prints one line of JSON:
{"device": ..., "torch": ..., "ms_per_step": median, "steps": N}.

    python3 bench_torch.py '{"d_model": "64", "heads": "8", ...}' --steps 30 --warmup 5 --threads 2
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from induction_lab_torch import LabTransformer  # noqa: E402


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("hyperparameters", help="the lab's hyperparameters as a JSON object of strings")
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch's default)")
    a = p.parse_args(argv)
    hp = json.loads(a.hyperparameters)
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    device = torch.device("cuda" if a.device == "cuda" or (a.device == "auto" and torch.cuda.is_available()) else "cpu")
    torch.manual_seed(int(hp.get("seed", "0")))
    model = LabTransformer(hp).to(device).train()
    opt = torch.optim.Adam(model.parameters(), lr=float(hp["lr"]))
    batch, n = int(hp["batch_size"]), int(hp["train_length"]) - 1
    tokens = int(hp["vocab"]) + 1
    times = []
    for step in range(a.warmup + a.steps):
        x = torch.randint(0, tokens, (batch, n), device=device)
        y = torch.randint(0, tokens - 1, (batch,), device=device)
        if device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        loss = F.cross_entropy(model(x)[:, -1], y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        loss.item()  # waits for the step, as the lab's reading of the loss does
        if step >= a.warmup:
            times.append((time.perf_counter() - t0) * 1000)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU (%d threads)" % torch.get_num_threads()
    print(json.dumps({"device": name, "torch": torch.__version__, "ms_per_step": round(statistics.median(times), 2),
                      "steps": a.steps}))


if __name__ == "__main__":
    main(sys.argv[1:])

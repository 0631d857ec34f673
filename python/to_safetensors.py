"""Turns a PyTorch state dict saved with torch.save(model.state_dict(), "model.pt") into a safetensors file
that `induction-lab import` reads (plain PyTorch; no other package):

    python3 to_safetensors.py model.pt model.safetensors
    java -jar induction-lab.jar import --from model.safetensors --out runs/mine --set heads=8

Only floating-point tensors are written (buffers such as a positional table included). The lab parses no
Python pickles: this script is the bridge.
"""
import sys

import torch

from induction_lab_torch import write_safetensors


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    state = torch.load(argv[0], map_location="cpu", weights_only=True)
    if hasattr(state, "state_dict"):
        state = state.state_dict()
    tensors = {k: v for k, v in state.items() if torch.is_tensor(v) and v.is_floating_point()}
    skipped = sorted(set(state) - set(tensors))
    write_safetensors(argv[1], tensors)
    print("wrote %d tensors to %s%s" % (len(tensors), argv[1], "; skipped " + ", ".join(skipped) if skipped else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

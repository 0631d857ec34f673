"""Writes resources/torchscript/fused_attention.pt: PyTorch's fused scaled_dot_product_attention as a
TorchScript module, the one operation DJL 0.36 does not offer (the lab's FusedAttention loads it).

    python3 python/make_fused_attention.py            (any torch >= 2.1; made with 2.13.0+cpu)

The module holds no weights and no compiled code, only the call below: the file is a zip of this source
as TorchScript, loaded by the libtorch the lab runs on (2.7.1 by default) and checked against the lab's
own attention to 1e-5 by FusedAttentionTest.
"""
import os

import torch
import torch.nn.functional as F


class FusedAttention(torch.nn.Module):
    def forward(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        # q is already scaled by 1/sqrt(d_head): scale 1. Every query sees the keys up to its own position:
        # as many queries as keys is the causal square; one query is the last position, which sees them all.
        causal = q.size(2) == k.size(2) and q.size(2) > 1
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal, scale=1.0)


if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "torchscript",
                       "fused_attention.pt")
    torch.jit.script(FusedAttention()).save(out)
    print("wrote", os.path.normpath(out), "with torch", torch.__version__)

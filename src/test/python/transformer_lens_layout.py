"""The README's TransformerLens mapping, followed literally, in plain torch (transformer-lens not needed).

Reads the HookedTransformerConfig(...) and the weight table under "To TransformerLens." in README.md, builds
every HookedTransformer parameter by the README's formula from an exported lab model, runs the forward pass
as TransformerLens computes it on those parameters alone (embed + pos_embed, pre-norm blocks of LayerNorm,
attention per head with W_Q/W_K/W_V [H, d, d_head] and W_O [H, d_head, d], ReLU MLP, ln_final, unembed),
and prints JSON: the last-token logits of each line of a token file, the config, and any parameter the
README does not set (TransformerLens would keep its initial value: zeros here, as for its biases).

    python transformer_lens_layout.py MODEL.safetensors --readme README.md --logits TOKENS.txt
"""
import argparse
import json
import math
import os
import re
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "python"))
from induction_lab_torch import read_safetensors, sinusoidal  # noqa: E402


def readme_mapping(readme):
    """The config expression and the (TransformerLens name, formula) rows of the README's section."""
    text = open(readme, encoding="utf-8").read()
    start = text.index("**To TransformerLens.**")
    section = text[start:text.index("\n## ", start)]
    config = re.search(r"HookedTransformerConfig\((.*?)\)\n", section, re.S).group(1)
    rows = re.findall(r"^\| `([^`]+)` \| `([^`]+)` \|", section, re.M)
    if not rows:
        raise ValueError("no mapping table under 'To TransformerLens.' in " + readme)
    return config, rows


def evaluate(formula, tensors, names, env):
    """A formula with the lab's tensor names (longest first) replaced by the tensors."""
    code = formula
    for name in names:
        code = code.replace(name, "T[%r]" % name)
    return eval(code, {"math": math, "sinusoidal": sinusoidal, "T": tensors, **env})  # the README's own text


def tl_params(cfg):
    """Every parameter a pre-norm HookedTransformer with LN and standard positions has, with its shape."""
    d, h, dh, m, v, n = cfg["d_model"], cfg["n_heads"], cfg["d_head"], cfg["d_mlp"], cfg["d_vocab"], cfg["n_ctx"]
    out = {"embed.W_E": [v, d], "pos_embed.W_pos": [n, d], "ln_final.w": [d], "ln_final.b": [d],
           "unembed.W_U": [d, v], "unembed.b_U": [v]}
    for layer in range(cfg["n_layers"]):
        p = "blocks.%d." % layer
        out.update({p + "ln1.w": [d], p + "ln1.b": [d], p + "ln2.w": [d], p + "ln2.b": [d],
                    p + "attn.W_Q": [h, d, dh], p + "attn.W_K": [h, d, dh], p + "attn.W_V": [h, d, dh],
                    p + "attn.b_Q": [h, dh], p + "attn.b_K": [h, dh], p + "attn.b_V": [h, dh],
                    p + "attn.W_O": [h, dh, d], p + "attn.b_O": [d],
                    p + "mlp.W_in": [d, m], p + "mlp.b_in": [m], p + "mlp.W_out": [m, d], p + "mlp.b_out": [d]})
    return out


def layer_norm(x, w, b, eps=1e-5):
    x = x - x.mean(-1, keepdim=True)
    return x / (x.pow(2).mean(-1, keepdim=True) + eps).sqrt() * w + b


def forward(P, cfg, tokens):
    """HookedTransformer's forward pass (pre-norm, LN, standard positions, ReLU), logits (n, d_vocab)."""
    n = tokens.shape[0]
    assert n < cfg["n_ctx"], "n_ctx must exceed the longest input (TransformerLens' detect_head asserts it)"
    resid = P["embed.W_E"][tokens] + P["pos_embed.W_pos"][:n]
    mask = torch.ones(n, n, dtype=torch.bool).triu(1)
    for layer in range(cfg["n_layers"]):
        p = "blocks.%d." % layer
        x = layer_norm(resid, P[p + "ln1.w"], P[p + "ln1.b"])
        q = torch.einsum("pd,hde->hpe", x, P[p + "attn.W_Q"]) + P[p + "attn.b_Q"][:, None, :]
        k = torch.einsum("pd,hde->hpe", x, P[p + "attn.W_K"]) + P[p + "attn.b_K"][:, None, :]
        v = torch.einsum("pd,hde->hpe", x, P[p + "attn.W_V"]) + P[p + "attn.b_V"][:, None, :]
        scores = (q @ k.transpose(1, 2) / math.sqrt(cfg["d_head"])).masked_fill(mask, float("-inf"))
        z = scores.softmax(-1) @ v                                            # (H, n, d_head)
        resid = resid + torch.einsum("hpe,hed->pd", z, P[p + "attn.W_O"]) + P[p + "attn.b_O"]
        x = layer_norm(resid, P[p + "ln2.w"], P[p + "ln2.b"])
        hidden = torch.relu(x @ P[p + "mlp.W_in"] + P[p + "mlp.b_in"])
        resid = resid + hidden @ P[p + "mlp.W_out"] + P[p + "mlp.b_out"]
    return layer_norm(resid, P["ln_final.w"], P["ln_final.b"]) @ P["unembed.W_U"] + P["unembed.b_U"]


def main(argv):
    a = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    a.add_argument("model")
    a.add_argument("--readme", required=True)
    a.add_argument("--logits", required=True, help="a file of token lines")
    args = a.parse_args(argv)
    tensors, meta = read_safetensors(args.model)
    hp = json.loads(meta["hyperparameters"])
    lines = [[int(t) for t in line.split()] for line in open(args.logits) if line.strip()]
    env = {"layers": int(hp["layers"]), "d": int(hp["d_model"]), "H": int(hp["heads"]),
           "ff": int(hp["ff_mult"]) * int(hp["d_model"]), "V": int(hp["vocab"]),
           "longest": max(len(line) for line in lines)}
    config_text, rows = readme_mapping(args.readme)
    cfg = eval("dict(%s)" % config_text, {}, env)
    env["n_ctx"] = cfg["n_ctx"]
    names = sorted(tensors, key=len, reverse=True)
    shapes = tl_params(cfg)
    P = {}
    for tl_name, formula in rows:
        for layer in range(cfg["n_layers"]) if ".N." in tl_name else [None]:
            target = tl_name.replace(".N.", ".%d." % layer) if layer is not None else tl_name
            lab = formula.replace(".N.", ".%d." % layer) if layer is not None else formula
            P[target] = evaluate(lab, tensors, names, env).float()
    for name, shape in shapes.items():
        if name in P and list(P[name].shape) != shape:
            raise ValueError("%s: the README's formula gives %s, TransformerLens has %s" % (name, list(P[name].shape), shape))
    unmapped = [name for name in shapes if name not in P]
    for name in unmapped:
        P[name] = torch.zeros(shapes[name])
    with torch.no_grad():
        logits = [forward(P, cfg, torch.tensor(line))[-1].tolist() for line in lines]
    print(json.dumps({"logits": logits, "config": cfg, "unmapped": unmapped}))


if __name__ == "__main__":
    main(sys.argv[1:])

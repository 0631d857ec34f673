"""Induction Lab models in plain PyTorch (no other package).

Loads a file written by `induction-lab export --run DIR --out model.safetensors`, builds the same model from
the hyperparameters in its metadata, and predicts. The model below is the lab's TransformerModel written
with torch.nn, line for line:

    x = Embedding(tokens) * sqrt(d) + sinusoidal positions        (or a learned table, or none)
    (rotary, xPos, ALiBi and a local window act inside attention, layer by layer: see Attention)
    per layer, post-norm: x = LN1(x + Attn(x));  x = LN2(x + FF(x))
               pre-norm:  x = x + Attn(LN1(x));  x = x + FF(LN2(x));  then a final LN
    Attn: q, k, v = split(x W_qkv^T + b);  per head softmax(q k^T / sqrt(d_head) + causal mask) v;  W_O
    FF:   W_2 relu(W_1 x + b_1) + b_2
    logits = head(x)

Use:
    python3 induction_lab_torch.py model.safetensors --tokens "3 16 7 1 2 16"   # predicts the next token
    python3 induction_lab_torch.py model.safetensors --logits tokens.txt        # JSON: last-token logits per line

From here to TransformerLens: see the README ("Models in and out").
"""
import argparse
import json
import math
import struct
import sys

import torch
from torch import nn

DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    """(tensors by name as float32, metadata) from a safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        raw = bytearray(data[8 + n + begin:8 + n + end])
        t = torch.frombuffer(raw, dtype=DTYPES[e["dtype"]]) if raw else torch.zeros(0, dtype=DTYPES[e["dtype"]])
        tensors[name] = t.reshape(e["shape"]).float()
    return tensors, metadata


def write_safetensors(path, tensors, metadata=None):
    """Writes float32 tensors (name -> tensor) and string metadata as a safetensors file."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, t in tensors.items():
        values = t.detach().to(torch.float32).cpu().flatten().tolist()
        b = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def sinusoidal(n, d):
    """PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(...), as the lab and PyTorch's example."""
    pos = torch.arange(n, dtype=torch.float32).unsqueeze(1)
    div = torch.exp(torch.arange(0, d, 2, dtype=torch.float32) * (-math.log(10000.0) / d))
    pe = torch.zeros(n, d)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div)
    return pe


def alibi_slopes(heads):
    """ALiBi's head slopes (Press et al. 2022): 2^(-8/H), 2^(-16/H), ...; other H interleave the next power's."""
    def power_of_2(n):
        start = 2 ** (-8.0 / n)
        return [start ** (i + 1) for i in range(n)]
    if math.log2(heads).is_integer():
        return power_of_2(heads)
    closest = 2 ** math.floor(math.log2(heads))
    return power_of_2(closest) + alibi_slopes(2 * closest)[0::2][:heads - closest]


def rotate(x, dh):
    """Rotary (Su et al. 2021) in the "rotate half" form: halves turned as pairs by pos * 10000^(-2i/dh)."""
    n, half = x.shape[2], dh // 2
    pos = torch.arange(n, dtype=torch.float32, device=x.device).unsqueeze(1)
    freq = torch.exp(torch.arange(half, dtype=torch.float32, device=x.device) * (-2 * math.log(10000.0) / dh))
    angle = torch.cat([pos * freq, pos * freq], 1)
    rotated = torch.cat([-x[..., half:], x[..., :half]], -1)
    return x * angle.cos() + rotated * angle.sin()


class Attention(nn.Module):
    """Causal multi-head attention; `scheme` is what it knows of position: none, rotary, xpos, alibi or window:W."""

    def __init__(self, d, heads, scheme="none", log_length=None):
        super().__init__()
        self.heads = heads
        self.scheme = scheme
        self.log_length = log_length     # ln(train_length) with attention_scale log_length, else None
        self.qkv = nn.Linear(d, 3 * d)   # W_Q, W_K, W_V stacked; head h is a consecutive slice of each
        self.out = nn.Linear(d, d)       # W_O

    def forward(self, x):
        b, n, d = x.shape
        dh = d // self.heads
        q, k, v = self.qkv(x).split(d, dim=2)
        q, k, v = (t.reshape(b, n, self.heads, dh).transpose(1, 2) for t in (q, k, v))
        i = torch.arange(n, device=x.device).unsqueeze(1)
        j = torch.arange(n, device=x.device).unsqueeze(0)
        if self.scheme in ("rotary", "xpos"):
            q, k = rotate(q, dh), rotate(k, dh)
        if self.scheme == "xpos":
            # Sun et al. 2023: pair i of a score decays by zeta_i^((query - key) / 512), zeta_i = (i/(dh/2) + 0.4) / 1.4
            half = dh // 2
            zeta = (torch.arange(half, dtype=torch.float64) / half + 0.4) / 1.4
            decay = zeta.repeat(2).to(x.device) ** ((i - j).unsqueeze(-1).double() / 512)   # (n, n, dh)
            scores = torch.einsum("bhid,bhjd,ijd->bhij", q.double(), k.double(), decay).float() / math.sqrt(dh)
        else:
            scores = q @ k.transpose(2, 3) / math.sqrt(dh)
        if self.log_length is not None:  # Nakanishi 2025: times ln(keys seen) / ln(train_length)
            scores = scores * (torch.log(i.float() + 1) / self.log_length)
        if self.scheme == "alibi":
            slopes = torch.tensor(alibi_slopes(self.heads), device=x.device).view(1, -1, 1, 1)
            scores = scores - slopes * (i - j).float()
        mask = j > i
        if self.scheme.startswith("window:"):
            mask = mask | (i - j >= int(self.scheme.split(":")[1]))
        weights = scores.masked_fill(mask, float("-inf")).softmax(-1)
        self.last_weights = weights      # (batch, heads, queries, keys), for inspection
        return self.out((weights @ v).transpose(1, 2).reshape(b, n, d))


class Block(nn.Module):
    def __init__(self, d, heads, ff, pre_norm, scheme="none", log_length=None):
        super().__init__()
        self.pre_norm = pre_norm
        self.attention = Attention(d, heads, scheme, log_length)
        self.norm1 = nn.LayerNorm(d)
        self.ff = nn.ModuleDict({"in": nn.Linear(d, ff), "out": nn.Linear(ff, d)})
        self.norm2 = nn.LayerNorm(d)

    def feed_forward(self, x):
        return self.ff["out"](torch.relu(self.ff["in"](x)))

    def forward(self, x):
        if self.pre_norm:
            x = x + self.attention(self.norm1(x))
            return x + self.feed_forward(self.norm2(x))
        x = self.norm1(x + self.attention(x))
        return self.norm2(x + self.feed_forward(x))


class LabTransformer(nn.Module):
    def __init__(self, hp):
        super().__init__()
        if hp.get("architecture", "transformer") != "transformer":
            raise ValueError("architecture %s: only transformer is written here" % hp["architecture"])
        self.d = int(hp["d_model"])
        tokens = int(hp["vocab"]) + 1                       # V ordinary tokens and S = V
        self.positional = hp["positional"]
        if self.positional not in ("sinusoidal", "learned", "rotary", "xpos", "alibi", "none"):
            raise ValueError("positional %s: not written here" % self.positional)
        layers = int(hp["layers"])
        per_layer = hp.get("layer_positional", "same")
        if per_layer == "same":   # every layer as positional says (sinusoidal and learned act on the embeddings)
            schemes = [self.positional if self.positional in ("rotary", "xpos", "alibi") else "none"] * layers
        else:
            schemes = [s.strip() for s in per_layer.split(",")]
        log_length = math.log(int(hp["train_length"])) if hp.get("attention_scale") == "log_length" else None
        self.pre_norm = hp["norm"] == "pre"
        self.embedding = nn.Embedding(tokens, self.d)
        if self.positional == "learned":
            rows = int(hp["max_positions"]) or int(hp["train_length"])
            self.positions = nn.Embedding(rows, self.d)
        self.layers = nn.ModuleList(Block(self.d, int(hp["heads"]), int(hp["ff_mult"]) * self.d, self.pre_norm,
                                          schemes[l], log_length) for l in range(layers))
        if self.pre_norm:
            self.final_norm = nn.LayerNorm(self.d)
        self.head = nn.Linear(self.d, tokens)

    def forward(self, tokens):
        """Logits at every position, (batch, n, V+1)."""
        n = tokens.shape[1]
        x = self.embedding(tokens) * math.sqrt(self.d)
        if self.positional == "sinusoidal":
            x = x + sinusoidal(n, self.d).to(x.device)
        elif self.positional == "learned":
            x = x + self.positions.weight[:n]
        for layer in self.layers:
            x = layer(x)
        if self.pre_norm:
            x = self.final_norm(x)
        return self.head(x)

    def load_lab(self, tensors):
        """Loads the lab's names (norm gamma/beta are LayerNorm weight/bias here)."""
        state = {name.replace(".gamma", ".weight").replace(".beta", ".bias"): t for name, t in tensors.items()}
        self.load_state_dict(state, strict=True)
        return self


def load(path):
    """The lab's model from an exported file, in eval mode."""
    tensors, meta = read_safetensors(path)
    if meta.get("format") != "induction-lab":
        raise ValueError("%s was not written by `induction-lab export` (no format=induction-lab metadata)" % path)
    hp = json.loads(meta["hyperparameters"])
    return LabTransformer(hp).load_lab(tensors).eval(), hp


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("model")
    p.add_argument("--tokens", help="token ids separated by spaces; prints the predicted next token")
    p.add_argument("--logits", help="a file of token lines; prints JSON with the last-token logits of each")
    a = p.parse_args(argv)
    model, hp = load(a.model)
    with torch.no_grad():
        if a.tokens:
            ids = torch.tensor([[int(t) for t in a.tokens.split()]])
            probs = model(ids)[0, -1].softmax(-1)
            print("predicts %d (p = %.3f)" % (int(probs.argmax()), float(probs.max())))
        if a.logits:
            rows = []
            with open(a.logits) as f:
                for line in f:
                    if line.strip():
                        ids = torch.tensor([[int(t) for t in line.split()]])
                        rows.append(model(ids)[0, -1].tolist())
            print(json.dumps({"logits": rows}))


if __name__ == "__main__":
    main(sys.argv[1:])

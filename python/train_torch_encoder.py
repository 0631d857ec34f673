"""Trains PyTorch's own nn.TransformerEncoder on the induction task and saves it for `induction-lab import`.

The model has the shape of PyTorch's word-language-model example (input_emb, a sinusoidal pos_encoder
buffer, transformer_encoder, decoder; the embedding scaled by sqrt(d)), so a student's course model
saved the same way imports the same way. Plain PyTorch, no other package:

    python3 train_torch_encoder.py --out torch-course.safetensors              # post-norm, d 64, 8 heads
    java -jar induction-lab.jar import --from torch-course.safetensors --out runs/torch-course --set heads=8
    python3 train_torch_encoder.py --steps 0 --out m.safetensors --logits tokens.txt   # untrained; JSON logits

--logits prints, for each line of token ids in the file, the model's logits for the token after the line.
"""
import argparse
import json
import math
import sys

import torch
from torch import nn

from induction_lab_torch import sinusoidal, write_safetensors


class PositionalEncoding(nn.Module):
    def __init__(self, d, max_len):
        super().__init__()
        self.register_buffer("pe", sinusoidal(max_len, d).unsqueeze(1))  # (max_len, 1, d) as in the example

    def forward(self, x):  # x: (batch, n, d)
        return x + self.pe[: x.size(1), 0]


class TorchInduction(nn.Module):
    def __init__(self, vocab, d, heads, layers, ff_mult, pre_norm, dropout, max_len):
        super().__init__()
        self.d = d
        self.input_emb = nn.Embedding(vocab + 1, d)
        self.pos_encoder = PositionalEncoding(d, max_len)
        layer = nn.TransformerEncoderLayer(d, heads, ff_mult * d, dropout, batch_first=True, norm_first=pre_norm)
        self.transformer_encoder = nn.TransformerEncoder(layer, layers, norm=nn.LayerNorm(d) if pre_norm else None,
                                                         enable_nested_tensor=False)
        self.decoder = nn.Linear(d, vocab + 1)

    def forward(self, tokens):
        n = tokens.size(1)
        x = self.pos_encoder(self.input_emb(tokens) * math.sqrt(self.d))
        mask = nn.Transformer.generate_square_subsequent_mask(n)
        return self.decoder(self.transformer_encoder(x, mask=mask, is_causal=True))


def batch(rng, size, length, vocab, layout):
    """Noise 0..V-1, S=V at the trigger, the memory token after it, S again at L-2 and the memory at L-1."""
    t = torch.randint(0, vocab, (size, length), generator=rng)
    memory = torch.randint(0, vocab, (size,), generator=rng)
    if layout == "anywhere":
        p = torch.randint(0, length - 4, (size,), generator=rng)
    else:
        p = torch.full((size,), int(layout.split(":")[1]))
    rows = torch.arange(size)
    t[rows, p] = vocab
    t[rows, p + 1] = memory
    t[:, length - 2] = vocab
    t[:, length - 1] = memory
    return t[:, :-1], memory


def main(argv):
    a = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    a.add_argument("--out", required=True)
    a.add_argument("--vocab", type=int, default=16)
    a.add_argument("--d", type=int, default=64)
    a.add_argument("--heads", type=int, default=8)
    a.add_argument("--layers", type=int, default=2)
    a.add_argument("--ff-mult", type=int, default=2)
    a.add_argument("--pre-norm", action="store_true", help="norm_first=True and a final LayerNorm")
    a.add_argument("--dropout", type=float, default=0.0)
    a.add_argument("--length", type=int, default=32)
    a.add_argument("--layout", default="fixed:5", help="fixed:P or anywhere")
    a.add_argument("--steps", type=int, default=3000)
    a.add_argument("--batch", type=int, default=32)
    a.add_argument("--lr", type=float, default=1e-3)
    a.add_argument("--seed", type=int, default=0)
    a.add_argument("--logits", help="a file of token lines: print their last-token logits as JSON")
    o = a.parse_args(argv)
    torch.manual_seed(o.seed)
    model = TorchInduction(o.vocab, o.d, o.heads, o.layers, o.ff_mult, o.pre_norm, o.dropout, max_len=4096)
    rng = torch.Generator().manual_seed(o.seed)
    opt = torch.optim.Adam(model.parameters(), lr=o.lr)
    running = []
    for step in range(1, o.steps + 1):
        x, y = batch(rng, o.batch, o.length, o.vocab, o.layout)
        logits = model(x)[:, -1]
        loss = nn.functional.cross_entropy(logits, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        running = (running + [(logits.argmax(-1) == y).float().mean().item()])[-200:]
        if step % 500 == 0 or step == o.steps:
            print("step %d  loss %.4f  running accuracy %.1f %%" % (step, loss.item(), 100 * sum(running) / len(running)),
                  file=sys.stderr)
    model.eval()
    write_safetensors(o.out, model.state_dict())
    if o.logits:
        rows = []
        with torch.no_grad(), open(o.logits) as f:
            for line in f:
                if line.strip():
                    rows.append(model(torch.tensor([[int(t) for t in line.split()]]))[0, -1].tolist())
        print(json.dumps({"logits": rows}))


if __name__ == "__main__":
    main(sys.argv[1:])

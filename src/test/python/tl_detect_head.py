"""TransformerLens's detect_head default score (error_measure="mul", no BOS or current-token exclusion),
written here from its documented formula (not copied): score = sum(A * D) / sum(A), with D the 0/1 pattern
of previous_token_head, duplicate_token_head or induction_head built from the tokens. Reads a JSON file
{"tokens": [...], "maps": [[row-major L*L floats], ...]} and prints {"previous": [...], "duplicate": [...],
"induction": [...]} with one score per map, and the same for uniform causal attention ("uniform_*")."""
import json
import sys

import torch


def patterns(tokens):
    t = torch.tensor(tokens)
    n = t.shape[0]
    prev = torch.zeros(n, n)
    prev[1:, :-1] = torch.eye(n - 1)
    same = (t[:, None] == t[None, :]).float()
    same.fill_diagonal_(0)
    dup = torch.tril(same)
    ind = torch.zeros(n, n)
    ind[:, 1:] = dup[:, :-1]  # column j marks token j-1 equal to the query's token
    return {"previous": torch.tril(prev), "duplicate": dup, "induction": torch.tril(ind)}


def score(a, d):
    return float((a * d).sum() / a.sum())


def main():
    data = json.load(open(sys.argv[1]))
    tokens = data["tokens"]
    n = len(tokens)
    pats = patterns(tokens)
    uniform = torch.tril(torch.ones(n, n)) / torch.arange(1, n + 1, dtype=torch.float32)[:, None]
    out = {}
    for name, d in pats.items():
        out[name] = [score(torch.tensor(m, dtype=torch.float64).reshape(n, n), d.double()) for m in data["maps"]]
        out["uniform_" + name] = score(uniform.double(), d.double())
    print(json.dumps(out))


if __name__ == "__main__":
    main()

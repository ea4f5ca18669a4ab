"""induction: a Transformer Program extracted by tpjax.

Task: recall the number paired with a letter.
Model: 2 layers, 1+0 categorical+numerical heads, 0+0 MLPs.
From seed 4, epoch 250, source runs/ship/induction.
Snapped model's test accuracy: 66.49%.

run(tokens) takes a whole input starting with "<s>" (at most 10 tokens) and returns one
label per position. Variables hold one integer per position: token ids (VOCAB), positions, counts, or
the output of the function compute_<name> below.
"""


import importlib.util
import pathlib

import numpy as np

_HERE = pathlib.Path(__file__).parent
_SPEC = importlib.util.spec_from_file_location(f"{__name__}_runtime", _HERE / "runtime.py")
runtime = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(runtime)
select_closest = runtime.select_closest

VOCAB = ['<pad>', '<s>', 'a', 'b', 'c', 'd', '0', '1', '2', '3']  # a token's id is its index
LABELS = ['<unk>', '0', '1', '2', '3']
N_CTX = 10
D_VAR = 10  # categorical variables take values 0 .. D_VAR - 1
CAUSAL = True  # a query never attends to a later position
TABLES = runtime.load_tables(_HERE / "tables.json")


def run(tokens: list[str]) -> list[str]:
    """One predicted label per position of `tokens`, a whole input that starts with "<s>"."""
    return run_batch([tokens])[0]


def run_batch(batch: list[list[str]]) -> list[list[str]]:
    """`run` for many inputs at once; ValueError naming the first bad input."""
    labels = predict(runtime.encode(batch, VOCAB, N_CTX))
    return [[LABELS[c] for c in row[: len(tokens)]] for row, tokens in zip(labels, batch)]


def lookup(mapping: dict, fill: int, size: int = D_VAR) -> np.ndarray:
    """A dict of value -> value as an array indexed by value (`fill` where not given)."""
    return runtime.lookup(mapping, fill, size)


def compute_cat_attn_0_0(positions, tokens, visible):
    """Layer 0, categorical head 0: `tokens` at the nearest position whose `positions` is the value the
    query's `positions` asks for (0->8, 1->0, 2->0, 3->2, 4->3, 5->2, 6->3, 7->2, 8->3, 9->8; other values
    match nothing)."""
    wanted = lookup({0: 8, 1: 0, 2: 0, 3: 2, 4: 3, 5: 2, 6: 3, 7: 2, 8: 3, 9: 8}, fill=-1)  # query value -> the key value it matches
    match = positions[:, None, :] == wanted[positions][:, :, None]
    return select_closest(match & visible, tokens)


def compute_cat_attn_1_0(tokens, visible):
    """Layer 1, categorical head 0: `tokens` at the nearest position whose `tokens` is the value the query's
    `tokens` asks for ('<s>'->'0', 'a'->'d', 'b'->'d', 'c'->'b', 'd'->'b', '0'->'2', '1'->'3', '2'->'1',
    '3'->'0'; other values match nothing)."""
    wanted = lookup({1: 6, 2: 5, 3: 5, 4: 3, 5: 3, 6: 8, 7: 9, 8: 7, 9: 6}, fill=-1)  # query value -> the key value it matches
    match = tokens[:, None, :] == wanted[tokens][:, :, None]
    return select_closest(match & visible, tokens)


def classify(tokens, positions, cat_attn_0_0, cat_attn_1_0):
    """Fixed-point logits (a bias, a row per categorical value, a weight per count); the first maximum wins."""
    w = TABLES["classifier"]
    logits = (
        w["bias"]
        + w["cat"]["tokens"][tokens]
        + w["cat"]["positions"][positions]
        + w["cat"]["cat_attn_0_0"][cat_attn_0_0]
        + w["cat"]["cat_attn_1_0"][cat_attn_1_0]
    )
    return np.argmax(logits, axis=-1)


def predict(tokens: np.ndarray) -> np.ndarray:
    """Label indices (B, T) into LABELS for token ids (B, T) padded with 0."""
    positions = np.broadcast_to(np.arange(tokens.shape[1]), tokens.shape)
    visible = runtime.visible_keys(tokens, CAUSAL)
    cat_attn_0_0 = compute_cat_attn_0_0(positions, tokens, visible)
    cat_attn_1_0 = compute_cat_attn_1_0(tokens, visible)
    return classify(tokens, positions, cat_attn_0_0, cat_attn_1_0)

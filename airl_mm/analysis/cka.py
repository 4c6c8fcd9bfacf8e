"""Linear CKA (Kornblith et al. 2019) with the minibatch estimator.

Nguyen, Raghu, Kornblith (2021): average the unbiased HSIC estimator
(Song et al. 2012) over minibatches. Memory is that of one minibatch
(its b x b Gram matrices), whatever the number of samples.
"""
from typing import Optional

import torch


def gram_linear(x: torch.Tensor) -> torch.Tensor:
    """Linear kernel ``X X^T`` of ``(n, d)`` features, in float64."""
    x = x.reshape(len(x), -1).double()
    return x @ x.t()


def hsic_unbiased(gram_x: torch.Tensor, gram_y: torch.Tensor) -> torch.Tensor:
    """Unbiased HSIC_1 of two ``n x n`` Gram matrices (n > 3)."""
    n = gram_x.shape[0]
    if n < 4:
        raise ValueError(f'the unbiased HSIC needs > 3 samples, got {n}')
    k = gram_x.clone().fill_diagonal_(0)
    m = gram_y.clone().fill_diagonal_(0)
    ones = torch.ones(n, 1, dtype=k.dtype, device=k.device)
    trace = (k * m).sum()
    middle = (ones.t() @ k @ ones) * (ones.t() @ m @ ones) / ((n - 1) *
                                                              (n - 2))
    last = 2.0 / (n - 2) * (ones.t() @ k @ m @ ones)
    return ((trace + middle - last) / (n * (n - 3))).squeeze()


class MinibatchCKA:
    """Accumulate linear CKA between two representations batch by batch.

    Example:
        >>> acc = MinibatchCKA()
        >>> for xa, xb in batches:  # same images through both models
        ...     acc.update(xa, xb)
        >>> acc.value()
    """

    def __init__(self) -> None:
        self.xy = self.xx = self.yy = 0.0
        self.batches = 0

    def update(self, x: torch.Tensor, y: torch.Tensor) -> None:
        if len(x) != len(y):
            raise ValueError('both representations need the same samples')
        gx, gy = gram_linear(x), gram_linear(y)
        self.xy += float(hsic_unbiased(gx, gy))
        self.xx += float(hsic_unbiased(gx, gx))
        self.yy += float(hsic_unbiased(gy, gy))
        self.batches += 1

    def value(self) -> float:
        if not self.batches:
            raise ValueError('CKA of no batches: every batch needs > 3 '
                             'samples')
        if self.xx <= 0 or self.yy <= 0:
            raise ValueError('CKA is undefined: a representation is '
                             'constant over the samples (zero HSIC)')
        return self.xy / (self.xx * self.yy)**0.5


def cka(x: torch.Tensor,
        y: torch.Tensor,
        batch_size: Optional[int] = None) -> float:
    """Minibatch linear CKA of ``(n, ...)`` representations ``x``, ``y``."""
    b = batch_size or len(x)
    if b < 4:
        raise ValueError(f'batch_size must be at least 4, got {b}')
    acc = MinibatchCKA()
    for i in range(0, len(x), b):
        if len(x[i:i + b]) > 3:  # a short last batch is left out
            acc.update(x[i:i + b], y[i:i + b])
    return acc.value()


def stage_cka(model_a: torch.nn.Module,
              model_b: torch.nn.Module,
              batches,
              spatial: bool = False,
              progress=iter) -> dict:
    """CKA between two backbones at the stem and each ResNet stage.

    ``batches`` yields normalised ``(b, 3, H, W)`` images; both models see
    the same ones. Returns ``{stage: cka}`` in network order.
    """
    from .representations import STAGES, stage_outputs
    accs = {s: MinibatchCKA() for s in STAGES}
    with stage_outputs(model_a, spatial) as out_a, \
            stage_outputs(model_b, spatial) as out_b, torch.no_grad():
        for x in progress(batches):
            if len(x) < 4:  # the unbiased HSIC needs > 3 samples
                continue
            model_a(x)
            model_b(x)
            for s in STAGES:
                accs[s].update(out_a[s], out_b[s])
    if not accs[STAGES[0]].batches:
        raise ValueError('no batch of at least 4 images to compare')
    return {s: accs[s].value() for s in STAGES}


def plot_stage_cka(values: dict, title: str):
    """CKA per stage as a line with labelled points; returns the figure."""
    from .plotting import new_figure
    fig, ax = new_figure(6, 3.5)
    xs = list(values)
    ax.plot(xs, [values[x] for x in xs], marker='o')
    for x in xs:
        ax.annotate(
            f'{values[x]:.3f}', (x, values[x]),
            textcoords='offset points',
            xytext=(0, 6),
            ha='center')
    ax.set_ylim(0, 1.08)
    ax.set_ylabel('linear CKA')
    ax.set_title(title)
    ax.grid(alpha=0.3)
    return fig

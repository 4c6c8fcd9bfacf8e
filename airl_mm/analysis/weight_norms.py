"""Per-layer weight norms of ResNet backbones (Fig. 3a of the paper)."""
import re
from typing import Dict, List, Sequence, Tuple

import torch

from .plotting import new_figure

LAYER_SETS = ('conv3x3', 'conv', 'all')


def _order_key(name: str) -> Tuple:
    """Network order: stem, then layer/block, then the tensor's position."""
    m = re.match(r'layer(\d+)\.(\d+)\.(\D+)(\d*)', name)
    if not m:
        return (0, 0, 0, name)
    part = 0 if m.group(3) in ('conv', 'bn') else 1  # downsample last
    return (int(m.group(1)), int(m.group(2)), part, int(m.group(4) or 0), name)


def select_layers(sd: Dict[str, torch.Tensor], layers: str) -> List[str]:
    """Names of the tensors to plot, in network order.

    ``conv3x3``: conv weights with 3x3 kernels; ``conv``: every conv weight
    (stem 7x7, 1x1, 3x3, shortcut); ``all``: every floating-point tensor.
    """
    if layers not in LAYER_SETS:
        raise ValueError(f'layers must be one of {LAYER_SETS}')
    names = []
    for k, v in sd.items():
        if not v.is_floating_point():
            continue
        conv = k.endswith('weight') and v.dim() == 4
        if layers == 'all' or (conv and (layers == 'conv'
                                         or tuple(v.shape[-2:]) == (3, 3))):
            names.append(k)
    return sorted(names, key=_order_key)


def layer_norms(sd: Dict[str, torch.Tensor],
                layers: str = 'conv') -> List[Tuple[str, float]]:
    """``[(name, ||w||_F), ...]`` in network order."""
    return [(k, float(sd[k].double().norm()))
            for k in select_layers(sd, layers)]


def norm_ratios(base: List[Tuple[str, float]],
                other: List[Tuple[str, float]]) -> List[float]:
    """Per-layer ``||other|| / ||base||`` of two :func:`layer_norms` lists,
    sorted ascending."""
    return sorted(b / a for (_, a), (_, b) in zip(base, other))


def plot_norms(series: Sequence[Tuple[str, List[Tuple[str, float]]]],
               log_scale: bool = False,
               title: str = 'Weight norms'):
    """One line per checkpoint; returns the matplotlib figure."""
    fig, ax = new_figure(8, 4)
    styles = ('-', '--', ':', '-.')
    for i, (label, norms) in enumerate(series):
        # thick first, thinner and dashed after: coinciding lines stay
        # visible (NormRescale output lies on its anchor by construction)
        ax.plot(
            range(len(norms)), [n for _, n in norms],
            marker='.',
            ls=styles[i % len(styles)],
            lw=max(3.5 - i, 1.0),
            label=label)
    names = [n for n, _ in series[0][1]]
    starts = [
        i for i, n in enumerate(names) if re.match(r'layer\d+\.0\.conv1', n)
    ]
    for i in starts:
        ax.axvline(i - 0.5, color='grey', lw=0.5, ls=':')
    from matplotlib.ticker import MaxNLocator
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel('layer (network order; dotted: stage starts)')
    ax.set_ylabel('Frobenius norm')
    if log_scale:
        ax.set_yscale('log')
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    return fig

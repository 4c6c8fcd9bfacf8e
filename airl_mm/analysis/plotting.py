"""Figures and tables as bytes, for atomic writes of PNG/CSV outputs."""
import csv
import io
from typing import Iterable, Sequence


def new_figure(width: float = 6, height: float = 4):
    """A headless matplotlib figure and axes."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt.subplots(figsize=(width, height), dpi=120)


def figure_png(fig) -> bytes:
    """Render ``fig`` to PNG bytes and close it."""
    import matplotlib.pyplot as plt
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format='png')
    plt.close(fig)
    return buf.getvalue()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """A CSV table as UTF-8 bytes."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode()

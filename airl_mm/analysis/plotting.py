"""Figures as PNG bytes, for atomic writes (CSV: ``fileio.csv_bytes``)."""
import io


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

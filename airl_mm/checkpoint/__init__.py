"""Reading, converting and writing checkpoints (the one place for it)."""
from .io import CheckpointError, load_checkpoint_file, save_checkpoint_file

__all__ = ['CheckpointError', 'load_checkpoint_file', 'save_checkpoint_file']

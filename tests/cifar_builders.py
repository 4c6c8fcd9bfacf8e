"""Tiny CIFAR-10 / CIFAR-100 in the real python-pickle layout (what
``cifar-10-python.tar.gz`` / ``cifar-100-python.tar.gz`` extract to)."""
import pickle
from pathlib import Path
from typing import Dict, Tuple

import numpy as np

LAYOUT = {
    # folder, train files, test file, meta file, label key, meta key
    10: ('cifar-10-batches-py', [f'data_batch_{i}' for i in range(1, 6)],
         'test_batch', 'batches.meta', 'labels', 'label_names'),
    100: ('cifar-100-python', ['train'], 'test', 'meta', 'fine_labels',
          'fine_label_names'),
}


def make_cifar(root: Path,
               num_classes: int = 10,
               train_per_class: int = 20,
               test_per_class: int = 2,
               seed: int = 0) -> Tuple[Path, Dict[str, tuple]]:
    """Write a balanced tiny CIFAR under ``root``.

    Returns:
        ``(root, arrays)`` with ``arrays[split] = (images N x 32 x 32 x 3
        uint8 in file order, labels)``, what the files hold.
    """
    folder, train_files, test_file, meta_file, key, meta_key = \
        LAYOUT[num_classes]
    rng = np.random.RandomState(seed)
    (root / folder).mkdir(parents=True, exist_ok=True)
    arrays = {}
    for split, per_class, files in (('train', train_per_class, train_files),
                                    ('test', test_per_class, [test_file])):
        labels = rng.permutation(np.repeat(np.arange(num_classes), per_class))
        rows = rng.randint(0, 256, (len(labels), 3 * 32 * 32), dtype=np.uint8)
        arrays[split] = (rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3,
                                                               1), labels)
        for name, part in zip(
                files, np.array_split(np.arange(len(labels)), len(files))):
            entry = {
                'batch_label': f'{split} {name}',
                key: labels[part].tolist(),
                'data': rows[part],
                'filenames': [f'{i}.png' for i in part]
            }
            if num_classes == 100:
                entry['coarse_labels'] = (labels[part] // 5).tolist()
            with open(root / folder / name, 'wb') as f:
                pickle.dump(entry, f, protocol=2)
    with open(root / folder / meta_file, 'wb') as f:
        pickle.dump({meta_key: [f'class{i}' for i in range(num_classes)]},
                    f,
                    protocol=2)
    return root, arrays

"""Install airl_mm, an mmselfsup plugin (see README.md)."""
import re
from pathlib import Path

from setuptools import find_packages, setup

ROOT = Path(__file__).parent


def version() -> str:
    text = (ROOT / 'airl_mm' / 'version.py').read_text()
    return re.search(r"__version__ = '([^']+)'", text).group(1)


def requirements(name: str) -> list:
    lines = (ROOT / 'requirements' / name).read_text().splitlines()
    return [ln.strip() for ln in lines if ln.strip() and ln[0] != '#']


setup(
    name='airl_mm',
    version=version(),
    description=('Augmentation-invariant representation learning '
                 '(MoCo v2+, S-MoCo v2+, NormRescale) for mmselfsup'),
    long_description=(ROOT / 'README.md').read_text(),
    long_description_content_type='text/markdown',
    license='Apache License 2.0',
    packages=find_packages(
        exclude=('configs', 'tools', 'tests', 'tests.*', 'demo', 'demo.*')),
    # the ImageNet taxonomies of Tab. 6 (airl_mm.datasets.taxonomy)
    package_data={'airl_mm.datasets': ['data/*.json']},
    python_requires='>=3.11',
    install_requires=(requirements('torch.txt') + requirements('mmcv.txt') +
                      requirements('runtime.txt')),
    extras_require=dict(tests=requirements('tests.txt')),
    zip_safe=False,
)

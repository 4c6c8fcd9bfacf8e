"""Coarser label taxonomies of ImageNet-1k (Appendix B.2, Tab. 6).

The paper pre-trains a supervised ResNet-50 on all of ImageNet-1k with its
1000 classes merged by the WordNet tree. This module derives those merges
from a real WordNet 3.0 database (ImageNet wnids are WordNet 3.0 noun
offsets: ``n01440764`` is offset 01440764) and reads the mapping the
package ships (``data/imagenet_taxonomies.json``), so that training needs
no WordNet; ``tools/analysis/imagenet_taxonomy.py`` regenerates the file.

Taxonomies (see docs/taxonomy.md for the counts this gives):

* ``2art`` -- artifact vs the rest: a class is an artifact when
  ``artifact.n.01`` is among its ancestors on ANY hypernym path (regular and
  instance hypernyms, the whole DAG).
* ``2imb``, ``79`` -- Huh, Agrawal & Efros 2016, "What makes ImageNet good
  for transfer learning?", bottom-up ("down-up") clustering, as in their
  ``make_labels.py``: a class's depth is the length of its first-parent
  chain to ``entity.n.01``; level by level from the deepest, every class at
  the current deepest level moves to its first parent; classes on the same
  node are merged. Each level is a cut; 79 and 2 are two of them.
* ``10``, ``127`` -- the same paper's top-down ("up-down") clustering:
  every class moves one first-parent step up, then every class whose node
  lies under another class's node (on the first-parent chain) joins that
  node; repeated. 127 and 10 are its first two cuts.

"First parent" is what the reference computed with NLTK of its day
(``synset.hypernyms()[0]``: regular hypernyms only, sorted by synset name
such as ``'artifact.n.01'``; today's NLTK no longer sorts them). WordNet is
a DAG: the 38 ImageNet classes with two or three hypernyms (and nodes above)
follow that one path in both clusterings. With it, every cut of both
procedures equals the partition of the label sets the reference released.
"""
import importlib.util
import json
import os
import re
from pathlib import Path
from typing import (Dict, Iterable, List, NamedTuple, Optional, Sequence,
                    Tuple, Union)

PathLike = Union[str, os.PathLike]

#: The taxonomies the configs use, finest last.
TAXONOMIES = ('2art', '2imb', '10', '79', '127')
#: Where the package keeps the derived mapping.
MAPPING_FILE = Path(__file__).parent / 'data' / 'imagenet_taxonomies.json'
#: A directory with WordNet 3.0's ``data.noun`` and ``index.noun``;
#: Debian's ``wordnet-base`` installs them in /usr/share/wordnet.
WORDNET_ENV = 'AIRL_MM_WORDNET_DIR'
WORDNET_DIRS = ('/usr/share/wordnet', )
WNID_RE = re.compile(r'^n(\d{8})$')
# The synset whose descendants are "artifacts" (2art) and the root.
ARTIFACT = 'artifact.n.01'
ROOT = 'entity.n.01'
# Top-down cuts kept (the reference's first two of three iterations).
UP_DOWN_STEPS = 2
HUH = 'Huh, Agrawal & Efros 2016'


class WordNetError(RuntimeError):
    """WordNet 3.0 (or the ImageNet class list) is missing or wrong."""


def wnid_to_offset(wnid: str) -> int:
    """``'n01440764'`` -> ``1440764`` (raises ValueError on a bad id)."""
    m = WNID_RE.match(wnid)
    if not m:
        raise ValueError(f'not an ImageNet wnid (n + 8 digits): {wnid!r}')
    return int(m.group(1))


def offset_to_wnid(offset: int) -> str:
    return f'n{offset:08d}'


class WordNetNouns:
    """The noun part of a WordNet 3.0 database, read from its files.

    Reads ``data.noun`` (synsets: lemmas and hypernym pointers) and
    ``index.noun`` (each lemma's senses in order, which gives NLTK's synset
    names such as ``'dog.n.01'``), in the format of Princeton's wndb(5WN).

    Args:
        root (str | PathLike): The directory with ``data.noun`` and
            ``index.noun``.

    Raises:
        WordNetError: A file is missing, or it is not WordNet 3.0 (3.1 and
            later renumber the offsets that ImageNet's wnids are).
    """

    def __init__(self, root: PathLike) -> None:
        self.root = Path(root)
        self.lemmas: Dict[int, Tuple[str, ...]] = {}
        self.hypernyms: Dict[int, Tuple[int, ...]] = {}
        self.instance_hypernyms: Dict[int, Tuple[int, ...]] = {}
        self._senses: Dict[str, List[int]] = {}
        self._read_data(self._open('data.noun'))
        self._read_index(self._open('index.noun'))

    def _open(self, name: str) -> List[str]:
        path = self.root / name
        if not path.is_file():
            raise WordNetError(
                f'{path}: no such file (WordNet 3.0 database files; '
                "install Debian's wordnet-base or set "
                f'{WORDNET_ENV})')
        lines = path.read_text(encoding='latin-1').splitlines()
        header = [ln for ln in lines[:40] if ln.startswith('  ')]
        if not any('WordNet 3.0 ' in ln for ln in header):
            raise WordNetError(
                f'{path}: not WordNet 3.0 (its licence header names no '
                "'WordNet 3.0'); ImageNet wnids are WordNet 3.0 offsets")
        return [ln for ln in lines if not ln.startswith('  ')]

    def _read_data(self, lines: Sequence[str]) -> None:
        for ln in lines:
            tok = ln.split('|', 1)[0].split()
            offset = int(tok[0])
            n_words = int(tok[3], 16)
            self.lemmas[offset] = tuple(tok[4:4 + 2 * n_words:2])
            i = 4 + 2 * n_words
            n_ptrs = int(tok[i])
            hyper, inst = [], []
            for j in range(n_ptrs):
                sym, off, pos = tok[i + 1 + 4 * j:i + 4 + 4 * j]
                if pos != 'n':
                    continue
                if sym == '@':
                    hyper.append(int(off))
                elif sym == '@i':
                    inst.append(int(off))
            self.hypernyms[offset] = tuple(hyper)
            self.instance_hypernyms[offset] = tuple(inst)

    def _read_index(self, lines: Sequence[str]) -> None:
        for ln in lines:
            tok = ln.split()
            n_synsets, n_ptrs = int(tok[2]), int(tok[3])
            start = 4 + n_ptrs + 2
            self._senses[tok[0]] = [
                int(t) for t in tok[start:start + n_synsets]
            ]

    def __contains__(self, offset: int) -> bool:
        return offset in self.lemmas

    def _check(self, offset: int) -> None:
        if offset not in self.lemmas:
            raise WordNetError(
                f'{offset_to_wnid(offset)}: no such noun synset in '
                f'{self.root}/data.noun')

    def name(self, offset: int) -> str:
        """NLTK's name of a synset: first lemma (lower case), ``n``, and
        its sense number for that lemma, e.g. ``'artifact.n.01'``."""
        self._check(offset)
        lemma = self.lemmas[offset][0].lower()
        sense = self._senses[lemma].index(offset) + 1
        return f'{lemma}.n.{sense:02d}'

    def offset(self, name: str) -> int:
        """The offset of ``'lemma.n.NN'``."""
        m = re.match(r'^(.+)\.n\.(\d+)$', name)
        senses = self._senses.get(m.group(1).lower()) if m else None
        if not senses or not 1 <= int(m.group(2)) <= len(senses):
            raise WordNetError(f'no noun synset named {name!r}')
        return senses[int(m.group(2)) - 1]

    def first_parent(self, offset: int) -> Optional[int]:
        """The hypernym NLTK lists first (by synset name); None at the
        root. Instance hypernyms are not followed (as ``hypernyms()``)."""
        self._check(offset)
        parents = self.hypernyms[offset]
        return min(parents, key=self.name) if parents else None

    def first_chain(self, offset: int) -> List[int]:
        """``offset`` and its first parents up to the root."""
        chain = [offset]
        while (parent := self.first_parent(chain[-1])) is not None:
            chain.append(parent)
        return chain

    def ancestors(self, offset: int) -> set:
        """``offset`` and every synset above it on any hypernym path
        (regular and instance hypernyms)."""
        self._check(offset)
        seen, todo = {offset}, [offset]
        while todo:
            node = todo.pop()
            for parent in self.hypernyms[node] + self.instance_hypernyms[node]:
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen


def find_wordnet_dir(path: Optional[PathLike] = None) -> Path:
    """``path``, else ``$AIRL_MM_WORDNET_DIR``, else Debian's
    /usr/share/wordnet: the first that holds ``data.noun``.

    Raises:
        WordNetError: None of them does.
    """
    if path:
        tried = [path]
    elif os.environ.get(WORDNET_ENV):
        tried = [os.environ[WORDNET_ENV]]
    else:
        tried = list(WORDNET_DIRS)
    for cand in tried:
        if (Path(cand) / 'data.noun').is_file():
            return Path(cand)
    raise WordNetError(
        f'no WordNet 3.0 database (data.noun) in {", ".join(map(str, tried))}'
        ": install Debian's wordnet-base (apt-get install wordnet-base) or "
        f'point --wordnet-dir / {WORDNET_ENV} at a WordNet 3.0 dict folder')


def timm_synsets_file() -> Path:
    """timm's list of the 1000 ImageNet-1k wnids in class order, found
    without importing timm (and so torch).

    Raises:
        WordNetError: timm is not installed.
    """
    spec = importlib.util.find_spec('timm')
    if spec is None or not spec.submodule_search_locations:
        raise WordNetError(
            'timm is not installed: its wheel ships the ImageNet-1k class '
            'list (timm/data/_info/imagenet_synsets.txt); pip install timm '
            'or pass --synsets FILE')
    timm_dir = Path(list(spec.submodule_search_locations)[0])
    return timm_dir / 'data' / '_info' / 'imagenet_synsets.txt'


def read_wnids(path: PathLike) -> List[str]:
    """The wnids of a synset list (first word of each non-empty line), in
    file order, which is ImageNet-1k's class order.

    Raises:
        WordNetError: The file is missing, an id is malformed or repeated.
    """
    path = Path(path)
    if not path.is_file():
        raise WordNetError(f'{path}: no such file (ImageNet synset list)')
    wnids = [
        ln.split()[0] for ln in path.read_text().splitlines() if ln.strip()
    ]
    for w in wnids:
        try:
            wnid_to_offset(w)
        except ValueError as e:
            raise WordNetError(f'{path}: {e}') from None
    if len(set(wnids)) != len(wnids):
        raise WordNetError(f'{path}: repeated wnids')
    return wnids


def artifact_labels(wn: WordNetNouns,
                    offsets: Sequence[int]) -> Dict[int, int]:
    """``offset -> offset of artifact.n.01`` for artifacts, ``-> -1`` for
    the rest (any hypernym path counts)."""
    art = wn.offset(ARTIFACT)
    return {o: art if art in wn.ancestors(o) else -1 for o in offsets}


def down_up_cuts(wn: WordNetNouns,
                 offsets: Sequence[int]) -> List[Dict[int, int]]:
    """Huh et al.'s bottom-up clustering: one ``class -> node`` map per
    level, finest first (the last one maps every class to the root).

    Depths and parents follow the first-parent chain (:meth:`first_chain`),
    so a class at depth ``d`` reaches its depth-``l`` ancestor after the
    ``d - l`` deepest levels have been merged.
    """
    chains = {o: wn.first_chain(o) for o in offsets}
    depth = {o: len(c) - 1 for o, c in chains.items()}
    cuts = []
    for level in range(max(depth.values()) - 1, -1, -1):
        cuts.append({o: chains[o][max(0, depth[o] - level)] for o in offsets})
    return cuts


def up_down_cuts(wn: WordNetNouns,
                 offsets: Sequence[int],
                 steps: int = UP_DOWN_STEPS) -> List[Dict[int, int]]:
    """Huh et al.'s top-down clustering: ``steps`` ``class -> node`` maps.

    Each step moves every class's node one first parent up, then maps each
    node to the highest of the current nodes on its first-parent chain
    (the reference's pairwise ``is_hyponym`` merge; its result does not
    depend on the order the pairs are visited in).

    Raises:
        WordNetError: A node reaches the root before ``steps`` steps.
    """
    node = {o: o for o in offsets}
    cuts = []
    for step in range(steps):
        for o in offsets:
            parent = wn.first_parent(node[o])
            if parent is None:
                raise WordNetError(f'top-down step {step + 1}: '
                                   f'{wn.name(o)} already at the root')
            node[o] = parent
        present = set(node.values())
        for o in offsets:
            # the last (highest) current node on the chain
            node[o] = [n for n in wn.first_chain(node[o]) if n in present][-1]
        cuts.append(dict(node))
    return cuts


def _relabel(cut: Dict[int, int], offsets: Sequence[int]) -> List[int]:
    """Labels 0..K-1 for ``cut``'s nodes, numbered by their first class in
    ``offsets`` order (label 0 holds class 0)."""
    order: Dict[int, int] = {}
    for o in offsets:
        order.setdefault(cut[o], len(order))
    return [order[cut[o]] for o in offsets]


def _pick(cuts: Iterable[Dict[int, int]], k: int, what: str) -> Dict[int, int]:
    """The last (coarsest-named) cut of ``k`` classes."""
    found = [c for c in cuts if len(set(c.values())) == k]
    if not found:
        have = sorted({len(set(c.values())) for c in cuts})
        raise WordNetError(f'{what} clustering gives no {k}-class cut '
                           f'(it gives {have})')
    return found[-1]


def derive_taxonomies(wordnet_dir: Optional[PathLike] = None,
                      synsets: Optional[PathLike] = None) -> dict:
    """Every taxonomy of :data:`TAXONOMIES` from WordNet 3.0, as the
    JSON-ready dict that :data:`MAPPING_FILE` holds.

    Args:
        wordnet_dir: WordNet 3.0 dict folder (see :func:`find_wordnet_dir`).
        synsets: The ImageNet-1k wnid list in class order (default: timm's,
            :func:`timm_synsets_file`).

    Returns:
        dict: ``wnids`` (the 1000 in class order) and ``taxonomies``:
        ``{name: {procedure, num_classes, classes: [{wnid, name}],
        labels: {wnid: label}}}``.

    Raises:
        WordNetError: WordNet or the class list is missing, not 1000
            classes, or a wnid is not a WordNet 3.0 noun.
    """
    wn = WordNetNouns(find_wordnet_dir(wordnet_dir))
    synsets = synsets or timm_synsets_file()
    wnids = read_wnids(synsets)
    if len(wnids) != 1000:
        raise WordNetError(f'{synsets}: {len(wnids)} wnids, not 1000')
    offsets = [wnid_to_offset(w) for w in wnids]
    for o in offsets:
        wn.name(o)  # every class is a WordNet 3.0 noun
    down_up = down_up_cuts(wn, offsets)
    up_down = up_down_cuts(wn, offsets)
    cuts = {
        '2art': (artifact_labels(wn, offsets),
                 f'{ARTIFACT} among the ancestors on any hypernym path '
                 'vs not'),
        '2imb': (_pick(down_up, 2, 'bottom-up'), f'{HUH} bottom-up cut of 2'),
        '10': (up_down[1], f'{HUH} top-down step 2'),
        '79': (_pick(down_up, 79, 'bottom-up'), f'{HUH} bottom-up cut of 79'),
        '127': (up_down[0], f'{HUH} top-down step 1'),
    }
    out = {}
    for key in TAXONOMIES:
        cut, procedure = cuts[key]
        labels = _relabel(cut, offsets)
        nodes = {}
        for o, lab in zip(offsets, labels):
            nodes.setdefault(lab, cut[o])
        classes = []
        for n in (nodes[i] for i in range(len(nodes))):
            if n < 0:  # the rest of 2art
                classes.append(dict(wnid=None, name=f'not {ARTIFACT}'))
            else:
                classes.append(dict(wnid=offset_to_wnid(n), name=wn.name(n)))
        out[key] = dict(
            procedure=procedure,
            num_classes=len(classes),
            classes=classes,
            labels=dict(zip(wnids, labels)))
    return dict(
        description=('ImageNet-1k label taxonomies derived from WordNet 3.0 '
                     'by airl_mm.datasets.taxonomy; regenerate with '
                     'tools/analysis/imagenet_taxonomy.py'),
        wnids=wnids,
        taxonomies=out)


def dumps(mapping: dict) -> str:
    """The file's text: stable key order, one entry a line."""
    return json.dumps(mapping, indent=1, sort_keys=True) + '\n'


class Taxonomy(NamedTuple):
    """One taxonomy of the shipped mapping.

    Attributes:
        name (str): Its key (one of :data:`TAXONOMIES`).
        wnids (list[str]): ImageNet-1k's 1000 wnids in class order.
        labels (list[int]): The merged label of class ``i`` (0..K-1).
        classes (list[str]): The merged classes' names, by label.
    """
    name: str
    wnids: List[str]
    labels: List[int]
    classes: List[str]

    @property
    def num_classes(self) -> int:
        return len(self.classes)


def check_mapping(mapping: dict, source: str = 'mapping') -> None:
    """Raise ValueError (naming ``source`` and the taxonomy) unless every
    taxonomy labels each of the wnids exactly once with 0..K-1, all used."""
    try:
        wnids, taxonomies = mapping['wnids'], mapping['taxonomies']
    except (KeyError, TypeError):
        raise ValueError(f"{source}: needs 'wnids' and 'taxonomies'")
    if len(set(wnids)) != len(wnids):
        raise ValueError(f'{source}: repeated wnids')
    for name, tax in taxonomies.items():
        where = f'{source}: taxonomy {name!r}'
        labels, k = tax.get('labels', {}), len(tax.get('classes', []))
        if sorted(labels) != sorted(wnids):
            missing = sorted(set(wnids) - set(labels))[:3]
            extra = sorted(set(labels) - set(wnids))[:3]
            raise ValueError(f'{where}: labels must cover each wnid once '
                             f'(missing {missing}, unknown {extra})')
        used = set(labels.values())
        if used != set(range(k)) or tax.get('num_classes', k) != k:
            raise ValueError(f'{where}: labels must be 0..{k - 1}, each '
                             f'used ({k} classes)')


def load_mapping(path: Optional[PathLike] = None) -> dict:
    """The mapping file (default: the one the package ships), checked.

    Raises:
        FileNotFoundError: No such file.
        ValueError: It is not a valid mapping (see :func:`check_mapping`).
    """
    path = Path(path or MAPPING_FILE)
    if not path.is_file():
        raise FileNotFoundError(
            f'{path}: no taxonomy mapping (regenerate it with '
            'tools/analysis/imagenet_taxonomy.py)')
    try:
        mapping = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise ValueError(f'{path}: not JSON ({e})') from None
    check_mapping(mapping, str(path))
    return mapping


def load_taxonomy(name: str, path: Optional[PathLike] = None) -> Taxonomy:
    """Taxonomy ``name`` of the mapping file (default: the shipped one).

    Raises:
        KeyError: No taxonomy of that name (the message lists them).
    """
    mapping = load_mapping(path)
    taxonomies = mapping['taxonomies']
    if name not in taxonomies:
        raise KeyError(f'no taxonomy {name!r} in {path or MAPPING_FILE} '
                       f'(have {sorted(taxonomies)})')
    tax = taxonomies[name]
    wnids = list(mapping['wnids'])
    return Taxonomy(name, wnids, [int(tax['labels'][w]) for w in wnids],
                    [c['name'] for c in tax['classes']])


def summary(mapping: dict) -> List[dict]:
    """Per taxonomy: classes, the largest and smallest merged class (in
    ImageNet classes) and their ratio (largest : smallest)."""
    rows = []
    for name in mapping['taxonomies']:
        tax = mapping['taxonomies'][name]
        sizes = [0] * len(tax['classes'])
        for lab in tax['labels'].values():
            sizes[lab] += 1
        big, small = max(sizes), min(sizes)
        rows.append(
            dict(
                taxonomy=name,
                classes=len(sizes),
                largest=big,
                largest_name=tax['classes'][sizes.index(big)]['name'],
                smallest=small,
                ratio=big / small))
    return rows

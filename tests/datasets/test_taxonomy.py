"""Tab. 6's label taxonomies: the shipped mapping, its derivation from
WordNet 3.0, and the relabelling wrapper on an ImageNet folder.

The tests marked by the ``wordnet`` fixture need WordNet 3.0's database
files (Debian: ``apt-get install wordnet-base``) and timm's ImageNet class
list (``pip install timm``): they are skipped on a machine without them and
fail in CI (``CI`` set), where both must be installed. The rest run
everywhere, on the shipped file and a toy WordNet written here.
"""
import json
import os
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from mmengine.registry import DefaultScope

from airl_mm.datasets import TAXONOMIES, TaxonomyRelabel, load_taxonomy
from airl_mm.datasets import taxonomy as tx

# Classes per taxonomy, as docs/taxonomy.md documents them.
NUM_CLASSES = {'2art': 2, '2imb': 2, '10': 10, '79': 79, '127': 127}
# The sizes of the bottom-up label sets Huh et al. released
# (label_sets/hierarchy/*_down_up_K.txt of their code), finest first, and
# of their top-down ones (*_up_down_K.txt).
HUH_DOWN_UP = [
    999, 977, 918, 877, 820, 753, 694, 596, 486, 345, 206, 79, 36, 17, 9, 5, 2,
    1
]
HUH_UP_DOWN = [127, 10, 2]
# ImageNet-1k classes 0 (tench), 1 (goldfish), 151 (Chihuahua), 404
# (airliner) and 919 (street sign).
TINY = [0, 1, 151, 404, 919]


def _need(what: str, error: Exception):
    msg = (f'{what}: {error} -- CI installs it (apt-get install '
           'wordnet-base; pip install timm)')
    if os.environ.get('CI'):
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.fixture(scope='module')
def wordnet():
    """WordNet 3.0's nouns and timm's ImageNet-1k class list."""
    try:
        wn = tx.WordNetNouns(tx.find_wordnet_dir())
        tx.read_wnids(tx.timm_synsets_file())
    except tx.WordNetError as e:
        _need('WordNet 3.0 and the ImageNet class list', e)
    return wn


@pytest.fixture(scope='module')
def shipped():
    return tx.load_mapping()


# --- the shipped mapping (no WordNet needed) -----------------------------


def test_every_taxonomy_covers_each_wnid_once(shipped):
    wnids = shipped['wnids']
    assert len(wnids) == len(set(wnids)) == 1000
    assert wnids == sorted(wnids)  # ImageNet-1k's class order
    assert all(re.fullmatch(r'n\d{8}', w) for w in wnids)
    assert sorted(shipped['taxonomies']) == sorted(TAXONOMIES)
    for name, k in NUM_CLASSES.items():
        tax = shipped['taxonomies'][name]
        assert list(tax['labels']) == wnids  # each wnid exactly once
        assert sorted(set(tax['labels'].values())) == list(range(k))
        assert tax['num_classes'] == len(tax['classes']) == k
        loaded = load_taxonomy(name)
        assert loaded.wnids == wnids and loaded.num_classes == k
        assert loaded.labels == [tax['labels'][w] for w in wnids]
        # label 0 is class 0's: labels number the merged classes by their
        # first ImageNet class
        firsts = [loaded.labels.index(c) for c in range(k)]
        assert firsts == sorted(firsts)


def _sizes(shipped, name):
    tax = shipped['taxonomies'][name]
    count = Counter(tax['labels'].values())
    return {tax['classes'][lab]['name']: n for lab, n in count.items()}


def test_documented_counts_and_splits(shipped):
    art = _sizes(shipped, '2art')
    assert art == {'artifact.n.01': 522, 'not artifact.n.01': 478}
    imb = _sizes(shipped, '2imb')
    assert imb == {'physical_entity.n.01': 997, 'abstraction.n.06': 3}
    tax = shipped['taxonomies']['2imb']
    abstract = sorted(w for w, lab in tax['labels'].items() if lab == 1)
    # street sign, traffic light, bubble
    assert abstract == ['n06794110', 'n06874185', 'n09229709']
    ten = _sizes(shipped, '10')
    assert ten['object.n.01'] == 955 and ten['food.n.01'] == 22
    assert max(_sizes(shipped, '79').items(), key=lambda kv: kv[1]) == \
        ('animal.n.01', 398)
    assert max(_sizes(shipped, '127').items(), key=lambda kv: kv[1]) == \
        ('mammal.n.01', 218)
    # every merged class names its WordNet node (2art's rest: none)
    for name in NUM_CLASSES:
        for c in shipped['taxonomies'][name]['classes']:
            assert c['wnid'] is None or re.fullmatch(r'n\d{8}', c['wnid'])


def test_docs_table_matches_the_mapping(shipped, repo_root):
    """docs/taxonomy.md's table is the tool's summary of the shipped
    file."""
    text = (repo_root / 'docs' / 'taxonomy.md').read_text()
    for row in tx.summary(shipped):
        cells = (f'| `{row["taxonomy"]}` | {row["classes"]} | '
                 f'{row["largest"]} (`{row["largest_name"]}`) | '
                 f'{row["smallest"]} |')
        assert cells in text, cells


def test_bad_mappings_are_refused(shipped, tmp_path):
    bad = json.loads(json.dumps(shipped))
    del bad['taxonomies']['79']['labels']['n01440764']
    with pytest.raises(ValueError, match=r"taxonomy '79'.*n01440764"):
        tx.check_mapping(bad, 'x.json')
    bad = json.loads(json.dumps(shipped))
    bad['taxonomies']['10']['labels']['n01440764'] = 10  # an 11th class
    with pytest.raises(ValueError, match=r"taxonomy '10'.*0\.\.9"):
        tx.check_mapping(bad)
    path = tmp_path / 'm.json'
    path.write_text('{"wnids": [')
    with pytest.raises(ValueError, match='m.json: not JSON'):
        tx.load_mapping(path)
    with pytest.raises(FileNotFoundError, match='imagenet_taxonomy.py'):
        tx.load_mapping(tmp_path / 'none.json')
    with pytest.raises(KeyError, match=r"'1000'.*have \['10', '127'"):
        load_taxonomy('1000')


def test_package_data_ships_the_mapping(repo_root):
    assert tx.MAPPING_FILE.is_file()
    setup = (repo_root / 'setup.py').read_text()
    assert "package_data={'airl_mm.datasets': ['data/*.json']}" in setup
    assert tx.MAPPING_FILE.relative_to(repo_root / 'airl_mm' /
                                       'datasets').match('data/*.json')


# --- the derivation on a toy WordNet (no WordNet needed) -----------------

# name, offset, regular hypernyms (file order), instance hypernyms
TOY = [
    ('entity', 1, [], []),
    ('physical_entity', 2, [1], []),
    ('abstraction', 3, [1], []),
    ('object', 4, [2], []),
    ('animal', 5, [4], []),
    ('dog', 6, [5], []),
    ('cat', 7, [5], []),
    ('puppy', 8, [6], []),
    # two hypernyms: the file lists sled_dog first, NLTK's sorted
    # hypernyms()[0] is dog.n.02
    ('husky', 9, [10, 6], []),
    ('sled_dog', 10, [5], []),
    ('artifact', 12, [4], []),
    ('tool', 13, [12], []),
    ('hammer', 14, [13], []),
    ('cup', 15, [12], []),
    ('big_ben', 16, [], [17]),  # an instance: only '@i'
    ('clock', 17, [12], []),
    ('sign', 18, [3], []),
    ('street_sign', 19, [18], []),
]
HEADER = ('  1 This is a toy WordNet for tests.  \n'
          '  2 {version} Copyright 2006 by Princeton University.  \n')


def write_toy(root: Path, version: str = 'WordNet 3.0') -> Path:
    root.mkdir(parents=True, exist_ok=True)
    data = [HEADER.format(version=version)]
    for name, off, hyper, inst in TOY:
        ptrs = [f'@ {h:08d} n 0000' for h in hyper]
        ptrs += [f'@i {h:08d} n 0000' for h in inst]
        ptrs += ['~ 00000099 n 0000']  # other pointers are ignored
        data.append(f'{off:08d} 03 n 01 {name} 0 {len(ptrs):03d} '
                    f'{" ".join(ptrs)} | a {name}  \n')
    index = [HEADER.format(version=version)]
    for name, off, _, _ in sorted(TOY):
        # "dog" has a sense before ours: ours is dog.n.02
        offs = [99, off] if name == 'dog' else [off]
        index.append(f'{name} n {len(offs)} 1 @ {len(offs)} 0 '
                     f'{" ".join(f"{o:08d}" for o in offs)}  \n')
    (root / 'data.noun').write_text(''.join(data))
    (root / 'index.noun').write_text(''.join(index))
    return root


def toy(tmp_path):
    wn = tx.WordNetNouns(write_toy(tmp_path / 'wn'))
    return wn, {name: off for name, off, _, _ in TOY}


def names(wn, cut):
    return sorted({wn.name(n) for n in cut.values()})


def test_toy_reader(tmp_path):
    wn, o = toy(tmp_path)
    assert wn.name(o['dog']) == 'dog.n.02'
    assert wn.offset('dog.n.02') == o['dog']
    assert wn.name(o['husky']) == 'husky.n.01'
    # NLTK's order (by name), not the file's
    assert wn.first_parent(o['husky']) == o['dog']
    assert [wn.name(n) for n in wn.first_chain(o['husky'])] == [
        'husky.n.01', 'dog.n.02', 'animal.n.01', 'object.n.01',
        'physical_entity.n.01', 'entity.n.01'
    ]
    assert wn.first_parent(o['big_ben']) is None  # '@i' is not followed
    assert o['clock'] in wn.ancestors(o['big_ben'])  # ... here it is
    with pytest.raises(tx.WordNetError, match='no noun synset named'):
        wn.offset('dog.n.03')
    with pytest.raises(tx.WordNetError, match='n00000042: no such noun'):
        wn.name(42)


def test_toy_artifacts_follow_every_path(tmp_path):
    wn, o = toy(tmp_path)
    labels = tx.artifact_labels(
        wn, [o[n] for n in ('hammer', 'cup', 'big_ben', 'puppy')])
    assert labels == {
        o['hammer']: o['artifact'],
        o['cup']: o['artifact'],
        o['big_ben']: o['artifact'],  # through its instance hypernym
        o['puppy']: -1
    }


LEAVES = ['puppy', 'husky', 'cat', 'hammer', 'cup', 'street_sign']


def test_toy_bottom_up(tmp_path):
    wn, o = toy(tmp_path)
    # depths (first-parent chains): puppy, husky, hammer 5; cat, cup 4;
    # street_sign 3. Each level lifts the classes at the deepest level.
    cuts = tx.down_up_cuts(wn, [o[n] for n in LEAVES])
    assert [len(set(c.values())) for c in cuts] == [5, 3, 2, 2, 1]
    assert names(wn, cuts[0]) == [
        'cat.n.01', 'cup.n.01', 'dog.n.02', 'street_sign.n.01', 'tool.n.01'
    ]
    assert names(
        wn, cuts[1]) == ['animal.n.01', 'artifact.n.01', 'street_sign.n.01']
    assert names(wn, cuts[3]) == ['abstraction.n.01', 'physical_entity.n.01']
    assert names(wn, cuts[4]) == ['entity.n.01']


def test_toy_top_down(tmp_path):
    wn, o = toy(tmp_path)
    # step 1: one parent up (dog, dog, animal, tool, artifact, sign), then
    # dog joins animal and tool joins artifact (they lie under them)
    cuts = tx.up_down_cuts(wn, [o[n] for n in LEAVES], steps=3)
    assert [names(wn, c) for c in cuts] == [
        ['animal.n.01', 'artifact.n.01', 'sign.n.01'],
        ['abstraction.n.01', 'object.n.01'],
        ['entity.n.01'],
    ]
    with pytest.raises(tx.WordNetError, match='step 4.*at the root'):
        tx.up_down_cuts(wn, [o[n] for n in LEAVES], steps=4)


def test_not_wordnet_30_is_refused(tmp_path):
    with pytest.raises(tx.WordNetError, match='not WordNet 3.0'):
        tx.WordNetNouns(write_toy(tmp_path / 'wn31', 'WordNet 3.1'))
    with pytest.raises(tx.WordNetError, match='data.noun: no such file'):
        tx.WordNetNouns(tmp_path)
    with pytest.raises(tx.WordNetError, match='apt-get install wordnet-base'):
        tx.find_wordnet_dir(tmp_path)


def test_tool_without_wordnet_exits_2(tmp_path, capsys):
    from tool_loader import load_tool
    tool = load_tool('analysis/imagenet_taxonomy.py')
    out = tmp_path / 'm.json'
    assert tool.main(['--wordnet-dir', str(tmp_path), '--out', str(out)]) == 2
    assert 'wordnet-base' in capsys.readouterr().err
    assert not out.exists()


# --- the derivation from the real WordNet 3.0 ----------------------------


def test_shipped_mapping_equals_the_tool(wordnet, tmp_path, capsys):
    from tool_loader import load_tool
    tool = load_tool('analysis/imagenet_taxonomy.py')
    assert tool.main(['--check']) == 0, capsys.readouterr().out
    out = tmp_path / 'm.json'
    assert tool.main(['--out', str(out)]) == 0
    assert out.read_bytes() == tx.MAPPING_FILE.read_bytes()
    assert tx.dumps(tx.derive_taxonomies()) == tx.MAPPING_FILE.read_text()
    # --check sees a difference
    stale = json.loads(out.read_text())
    stale['taxonomies']['79']['labels']['n01440764'] = 1
    out.write_text(tx.dumps(stale))
    assert tool.main(['--check', '--out', str(out)]) == 1
    assert 'DIFFERS' in capsys.readouterr().out


def test_class_order_is_imagenets(wordnet, shipped):
    """Independently of timm: class i's first WordNet lemma is among
    mmpretrain's ImageNet-1k class names of index i."""
    from mmpretrain.datasets.categories import IMAGENET_CATEGORIES
    for i, wnid in enumerate(shipped['wnids']):
        lemma = wordnet.lemmas[tx.wnid_to_offset(wnid)][0].replace('_', ' ')
        assert lemma in IMAGENET_CATEGORIES[i].split(', '), (i, wnid)


def test_artifacts_by_hyponyms(wordnet, shipped):
    """2art against a walk DOWN from artifact.n.01 along the hyponym
    pointers (``~``, ``~i``) of data.noun, which the derivation never
    reads."""
    below = {}
    for ln in (wordnet.root /
               'data.noun').read_text(encoding='latin-1').splitlines():
        if ln.startswith('  '):
            continue
        tok = ln.split('|')[0].split()
        i = 4 + 2 * int(tok[3], 16)
        ptrs = [tok[i + 1 + 4 * j:i + 5 + 4 * j] for j in range(int(tok[i]))]
        below[int(tok[0])] = [
            int(p[1]) for p in ptrs if p[0] in ('~', '~i') and p[2] == 'n'
        ]
    seen, todo = set(), [wordnet.offset('artifact.n.01')]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(below[node])
    want = {w for w in shipped['wnids'] if tx.wnid_to_offset(w) in seen}
    tax = shipped['taxonomies']['2art']
    art = [c['name'] for c in tax['classes']].index('artifact.n.01')
    assert {w for w, lab in tax['labels'].items() if lab == art} == want
    assert len(want) == 522


def _reference_top_down_step(wn, nodes):
    """One step of Huh et al.'s make_labels.py, literally: every node one
    first parent up, then the pairwise is_hyponym merge in list order."""
    parents = [wn.first_parent(n) for n in nodes]
    chains = {p: set(wn.first_chain(p)) for p in set(parents)}
    for j in range(len(parents)):
        current = parents[j]
        for k in range(len(parents)):
            if current in chains[parents[k]]:  # is_hyponym(k, j)
                parents[k] = current
    return parents


def test_clusterings_match_the_reference(wordnet, shipped):
    offsets = [tx.wnid_to_offset(w) for w in shipped['wnids']]
    down_up = tx.down_up_cuts(wordnet, offsets)
    assert [len(set(c.values())) for c in down_up] == HUH_DOWN_UP
    up_down = tx.up_down_cuts(wordnet, offsets, steps=3)
    assert [len(set(c.values())) for c in up_down] == HUH_UP_DOWN
    # the merge as the reference wrote it gives the same first cut
    literal = _reference_top_down_step(wordnet, offsets)
    assert literal == [up_down[0][o] for o in offsets]
    # and the shipped taxonomies are those cuts
    for name, cut in (('2imb', down_up[-2]), ('79', down_up[11]),
                      ('127', up_down[0]), ('10', up_down[1])):
        labels = shipped['taxonomies'][name]['labels']
        pairs = {(labels[w], cut[o])
                 for w, o in zip(shipped['wnids'], offsets)}
        k = NUM_CLASSES[name]
        assert len(pairs) == k == len(set(cut.values())), name


# --- the wrapper ---------------------------------------------------------


@pytest.fixture(scope='module')
def tiny_real_imagenet(tmp_path_factory, shipped):
    """Five real ImageNet-1k classes (their true labels) x 3 images."""
    from data_builders import make_imagenet
    classes = {shipped['wnids'][i]: i for i in TINY}
    return make_imagenet(
        tmp_path_factory.mktemp('in5'), per_class=3, size=16, classes=classes)


def build(root, taxonomy, split='train', scope='mmpretrain', **kw):
    cfg = dict(
        type='mmselfsup.TaxonomyRelabel',
        taxonomy=taxonomy,
        dataset=dict(
            type='ImageNet',
            data_root=str(root),
            split=split,
            pipeline=[dict(type='LoadImageFromFile'),
                      dict(type='PackInputs')]),
        **kw)
    with DefaultScope.overwrite_default_scope(scope):
        from mmpretrain.registry import DATASETS
        return DATASETS.build(cfg)


@pytest.mark.parametrize('taxonomy', TAXONOMIES)
def test_wrapper_keeps_every_image_and_merges(tiny_real_imagenet, shipped,
                                              taxonomy):
    labels = shipped['taxonomies'][taxonomy]['labels']
    ds = build(tiny_real_imagenet, taxonomy)
    inner = ds.dataset
    assert len(ds) == len(inner) == 15
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        assert info['img_path'] == inner.get_data_info(i)['img_path']
        wnid = Path(info['img_path']).parent.name
        assert info['gt_label'] == labels[wnid]
        assert ds.get_cat_ids(i) == [labels[wnid]]
    want = [labels[shipped['wnids'][c]] for c in TINY for _ in range(3)]
    assert ds.get_gt_labels().tolist() == want
    # tench and goldfish always merge; the taxonomies differ elsewhere
    assert want[0] == want[3]
    packed = ds[4]
    assert packed['data_samples'].gt_label.tolist() == [want[4]]
    assert ds.metainfo['classes'] == tuple(
        c['name'] for c in shipped['taxonomies'][taxonomy]['classes'])
    assert len(inner.metainfo['classes']) == 1000  # the inner one untouched


def test_wrapper_merges_as_documented(tiny_real_imagenet):
    """Chihuahua joins the fish in 79 (animal.n.01), not in 127 (mammal vs
    soft-finned fish); the street sign is 2imb's minority class."""
    per_class = {
        t: build(tiny_real_imagenet, t).get_gt_labels()[::3].tolist()
        for t in TAXONOMIES
    }
    assert per_class['79'][2] == per_class['79'][0]
    assert per_class['127'][2] != per_class['127'][0]
    assert per_class['2imb'] == [0, 0, 0, 0, 1]
    assert per_class['2art'] == [0, 0, 0, 1, 0]  # airliner: an artifact


def test_wrapper_on_the_val_split_and_lazily(tiny_real_imagenet):
    ds = build(tiny_real_imagenet, '10', split='val', lazy_init=True)
    assert not ds._fully_initialized
    assert len(ds) == 15 and ds._fully_initialized
    assert isinstance(ds, TaxonomyRelabel)


def test_wrapper_refuses_other_class_orders(tiny_imagenet, tmp_path):
    # made-up wnid folders: n00000000 is not class 0 (n01440764)
    with pytest.raises(
            ValueError,
            match=r'folder n00000000 .* label 0, '
            r'which is n01440764'):
        build(tiny_imagenet, '79')
    from data_builders import make_imagenet
    root = make_imagenet(
        tmp_path / 'in', per_class=1, size=16, classes={'n09999999': 1000})
    with pytest.raises(ValueError, match='label 1000, not an ImageNet-1k'):
        build(root, '79', split='val')
    with pytest.raises(KeyError, match="no taxonomy '3'"):
        build(root, '3')


def test_wrapper_needs_labels():

    class NoLabels:
        metainfo = {}

        def get_data_info(self, i):
            return dict(img_path='x.jpg')

        def __len__(self):
            return 2

    with pytest.raises(KeyError, match="no 'gt_label'"):
        TaxonomyRelabel(NoLabels(), '10')
    assert np.asarray(load_taxonomy('2art').labels).max() == 1

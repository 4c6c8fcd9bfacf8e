"""The fast Table-5 transforms against mmselfsup's / mmcv's own.

Distributions: many seeded draws of the fast view pipeline against the
probabilities and ranges the reference config states (checks that reject
a wrong probability or range: see the negative controls). Outputs: for the
same draws, within :data:`TOLERANCE` of the reference, per step and end to
end.
"""
import copy
import itertools
import random

import cv2
import mmcv
import numpy as np
import pytest
from mmengine.config import Config
from mmselfsup.datasets.transforms import RandomResizedCrop
from mmselfsup.registry import TRANSFORMS
from scipy import stats
from tool_loader import ROOT, load_tool

from airl_mm.datasets.transforms import TOLERANCE
from airl_mm.datasets.transforms import fast_augment as fa
from airl_mm.datasets.transforms import seed_all

# the speed harness's photos and pipeline builder (tools/benchmarks/)
_harness = load_tool('benchmarks/speed_harness.py')
_set_crop_size = _harness._set_crop_size
build_pipeline = _harness.build_pipeline
make_photo = _harness.make_photo

DATASETS = ROOT / 'configs/_base_/datasets'
N = 3000  # draws for the distribution tests
Z = 4.5  # binomial z-score bound (false alarm ~1e-5 per check)


def photo(seed=0, width=500, height=375):
    buf = np.frombuffer(make_photo(seed, width, height), np.uint8)
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def view_steps(name):
    return Config.fromfile(str(DATASETS / name)).view_pipeline


def build(steps):
    return build_pipeline(copy.deepcopy(steps))  # in mmselfsup's scope


def diff(a, b):
    return np.abs(a.astype(np.int16) - b.astype(np.int16))


@pytest.fixture(scope='module')
def crops():
    """Four 224x224 photo crops (three plain, one greyish)."""
    out = [
        cv2.resize(photo(i), (224, 224), interpolation=cv2.INTER_AREA)
        for i in range(3)
    ]
    grey = cv2.cvtColor(
        cv2.cvtColor(out[0], cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    out.append(cv2.addWeighted(out[1], 0.2, grey, 0.8, 0))
    return out


def test_fast_config_is_the_reference_with_fast_types():
    fast, ref = view_steps('imagenet_byol-sym.py'), view_steps(
        'imagenet_byol-sym_reference.py')
    assert len(fast) == len(ref) == 6
    for f, r in zip(fast, ref):
        f = copy.deepcopy(f)
        if f['type'] == 'RandomApply':
            f['transforms'][0]['type'] = f['transforms'][0]['type'][4:]
        else:
            assert f['type'] == 'Fast' + r['type']
            f['type'] = r['type']
        assert f == r


JITTER_OPS = {
    'brightness':
    (mmcv.adjust_brightness, fa.adjust_brightness, (0.6, 1.0, 1.4)),
    'contrast': (mmcv.adjust_contrast, fa.adjust_contrast, (0.6, 1.0, 1.4)),
    'saturation': (mmcv.adjust_color, fa.adjust_saturation, (0.8, 1.2)),
    'hue': (mmcv.adjust_hue, fa.adjust_hue, (-0.1, -0.03, 0.04, 0.1)),
}


@pytest.mark.parametrize('op', sorted(JITTER_OPS))
def test_jitter_ops_match_pillow_within_tolerance(op, crops):
    ref_fn, fast_fn, factors = JITTER_OPS[op]
    d = np.stack([
        diff(ref_fn(img, f, backend='pillow'), fast_fn(img, f))
        for img in crops for f in factors
    ])
    top, mean = TOLERANCE[op]
    assert d.max() <= top and d.mean() <= mean, (d.max(), d.mean())


def test_blur_grey_solarize_match_within_tolerance(crops):
    for sigma in (0.1, 0.7, 1.3, 2.0):
        ref = TRANSFORMS.build(
            dict(
                type='RandomGaussianBlur',
                prob=1.,
                sigma_min=sigma,
                sigma_max=sigma))
        d = np.stack([
            diff(ref(dict(img=i))['img'], fa.gaussian_blur(i, sigma))
            for i in crops
        ])
        assert d.max() <= TOLERANCE['blur'][0], (sigma, d.max())
        assert d.mean() <= TOLERANCE['blur'][1], (sigma, d.mean())
    kw = dict(
        prob=1., keep_channels=True, channel_weights=(0.114, 0.587, 0.2989))
    ref = TRANSFORMS.build(dict(type='RandomGrayscale', **kw))
    fast = TRANSFORMS.build(dict(type='FastRandomGrayscale', **kw))
    for img in crops:
        out = fast(dict(img=img))['img']
        assert (out[..., 0] == out[..., 1]).all()
        d = diff(ref(dict(img=img))['img'], out)
        assert d.max() <= TOLERANCE['gray'][0]
        assert d.mean() <= TOLERANCE['gray'][1]
    for thr in (128, 60):
        ref = TRANSFORMS.build(
            dict(type='RandomSolarize', threshold=thr, prob=1.))
        fast = TRANSFORMS.build(
            dict(type='FastRandomSolarize', threshold=thr, prob=1.))
        for img in crops:
            np.testing.assert_array_equal(
                fast(dict(img=img))['img'],
                ref(dict(img=img))['img'])


@pytest.mark.parametrize('box', [(30, 20, 449, 354), (0, 0, 499, 374),
                                 (100, 50, 299, 349), (200, 100, 319, 189)])
def test_crop_matches_pillow(box):
    """Shrinking: equal; enlarging (last box): within one level."""
    img = photo(3)
    x0, y0, x1, y1 = box
    ref = mmcv.imresize(
        mmcv.imcrop(img, np.array(box)), (224, 224), backend='pillow')
    crop = fa.FastRandomResizedCrop(size=224, backend='pillow')
    crop.get_params = lambda *a, **k: (y0, x0, y1, x1)
    out = crop(dict(img=img))
    d = diff(ref, out['img'])
    assert out['crop_bbox'] == box and out['img'].shape == (224, 224, 3)
    assert d.max() <= TOLERANCE['crop'][0]
    assert d.mean() <= TOLERANCE['crop'][1]
    if x1 - x0 >= 224 or y1 - y0 >= 224:  # shrinks: PIL itself
        assert d.max() == 0
    approx = fa.FastRandomResizedCrop(size=224, backend='cv2')
    approx.get_params = crop.get_params
    assert diff(ref, approx(dict(img=img))['img']).mean() < 1.5


def test_same_seed_same_draws_and_output():
    """Seeded alike, the two pipelines draw alike: the views agree within
    the stated tolerance (a differing flip, grey or solarize would not)."""
    ref = build(view_steps('imagenet_byol-sym_reference.py'))
    fast = build(view_steps('imagenet_byol-sym.py'))
    img = photo(5)
    diffs = []
    for seed in range(30):
        seed_all(seed)
        a = ref(dict(img=img.copy()))['img']
        seed_all(seed)
        b = fast(dict(img=img.copy()))['img']
        diffs.append(diff(a, b))
    d = np.stack(diffs)
    top99, mean = TOLERANCE['pipeline']
    assert np.percentile(d, 99) <= top99 and d.mean() <= mean
    assert d.reshape(len(diffs), -1).mean(1).max() <= 3 * mean


def test_flip_draws_like_mmcv():
    for kw in (dict(prob=0.5), dict(prob=0.3, direction='vertical'),
               dict(prob=[0.2, 0.3], direction=['horizontal', 'vertical'])):
        ref = TRANSFORMS.build(dict(type='RandomFlip', **kw))
        fast = TRANSFORMS.build(dict(type='FastRandomFlip', **kw))
        img = photo(1, 40, 30)
        np.random.seed(0)
        a = [ref(dict(img=img)) for _ in range(200)]
        np.random.seed(0)
        b = [fast(dict(img=img)) for _ in range(200)]
        for x, y in zip(a, b):
            assert x['flip_direction'] == y['flip_direction']
            np.testing.assert_array_equal(x['img'], y['img'])
            assert y['img'].flags.c_contiguous


# ---------------------------------------------------------- distributions
def reference_spec():
    """Probabilities and ranges as the reference config states them."""
    steps = {
        s['type']: s
        for s in view_steps('imagenet_byol-sym_reference.py')
    }
    jitter = steps['RandomApply']
    cj = jitter['transforms'][0]
    crop = steps['RandomResizedCrop']
    return dict(
        flip=steps['RandomFlip']['prob'],
        jitter=jitter['prob'],
        gray=steps['RandomGrayscale']['prob'],
        blur=steps['RandomGaussianBlur']['prob'],
        solarize=steps['RandomSolarize']['prob'],
        factors=[(1 - cj.brightness, 1 + cj.brightness),
                 (1 - cj.contrast, 1 + cj.contrast),
                 (1 - cj.saturation, 1 + cj.saturation), (-cj.hue, cj.hue)],
        sigma=(steps['RandomGaussianBlur']['sigma_min'],
               steps['RandomGaussianBlur']['sigma_max']),
        scale=crop.get('scale', (0.08, 1.)),
        ratio=crop.get('ratio', (3. / 4., 4. / 3.)))


def check_distributions(draws, spec, crop_ref):
    """Raise AssertionError unless ``draws`` follow ``spec``."""
    n = len(draws)

    def rate(key, p):
        hits = sum(bool(d[key]) for d in draws)
        sd = np.sqrt(p * (1 - p) / n)
        assert abs(hits / n - p) <= Z * sd, (key, hits / n, p)

    rate('flip', spec['flip'])
    rate('grayscale', spec['gray'])
    rate('solarize', spec['solarize'])
    rate('blur_sigma', spec['blur'])
    rate('color_jitter', spec['jitter'])
    sigmas = [d['blur_sigma'] for d in draws if d['blur_sigma']]
    lo, hi = spec['sigma']
    assert stats.kstest(sigmas, 'uniform', (lo, hi - lo)).pvalue > 1e-4
    jit = [d['color_jitter'] for d in draws if d['color_jitter']]
    for i, (lo, hi) in enumerate(spec['factors']):
        vals = [j[i] for j in jit]
        assert stats.kstest(vals, 'uniform', (lo, hi - lo)).pvalue > 1e-4, i
    orders = [j[4] for j in jit]
    counts = [orders.count(p) for p in itertools.permutations(range(4))]
    assert stats.chisquare(counts).pvalue > 1e-4
    area, logr = crop_stats([d['crop_bbox'] for d in draws])
    ref_area, ref_logr = crop_ref
    assert stats.ks_2samp(area, ref_area).pvalue > 1e-4
    assert stats.ks_2samp(logr, ref_logr).pvalue > 1e-4


def crop_stats(boxes, shape=(300, 400)):
    b = np.asarray(boxes, np.float64)
    w, h = b[:, 2] - b[:, 0] + 1, b[:, 3] - b[:, 1] + 1
    return w * h / (shape[0] * shape[1]), np.log(w / h)


@pytest.fixture(scope='module')
def fast_draws():
    steps = view_steps('imagenet_byol-sym.py')
    _set_crop_size(steps, 4)  # the draws do not depend on the output size
    pipeline = build(steps)
    img = photo(2, 400, 300)
    seed_all(1)
    keys = ('flip', 'grayscale', 'solarize', 'blur_sigma', 'crop_bbox')
    draws = []
    for _ in range(N):
        out = pipeline(dict(img=img))
        d = {k: out[k] for k in keys}
        d['color_jitter'] = out.get('color_jitter')
        draws.append(d)
    return draws


@pytest.fixture(scope='module')
def crop_reference():
    spec = reference_spec()
    img = np.zeros((300, 400, 3), np.uint8)
    random.seed(2)
    boxes = []
    for _ in range(N):
        y0, x0, y1, x1 = RandomResizedCrop.get_params(img, spec['scale'],
                                                      spec['ratio'])
        boxes.append((x0, y0, x1, y1))
    return crop_stats(boxes)


def test_fast_draws_follow_the_reference_distributions(fast_draws,
                                                       crop_reference):
    check_distributions(fast_draws, reference_spec(), crop_reference)


@pytest.mark.parametrize('change', [
    dict(gray=0.25),
    dict(solarize=0.15),
    dict(blur=0.45),
    dict(jitter=0.75),
    dict(flip=0.45),
    dict(sigma=(0.1, 2.3)),
    dict(factors=[(0.6, 1.4), (0.6, 1.4), (0.7, 1.3), (-0.1, 0.1)]),
    dict(scale=(0.2, 1.)),
    dict(ratio=(0.6, 1.6))
])
def test_the_distribution_checks_reject_a_wrong_setting(
        change, fast_draws, crop_reference):
    """Negative controls: the same draws against a wrong probability or
    range fail the checks."""
    spec = dict(reference_spec(), **change)
    crop_ref = crop_reference
    if 'scale' in change or 'ratio' in change:
        img = np.zeros((300, 400, 3), np.uint8)
        random.seed(3)
        boxes = []
        for _ in range(N):
            y0, x0, y1, x1 = RandomResizedCrop.get_params(
                img, spec['scale'], spec['ratio'])
            boxes.append((x0, y0, x1, y1))
        crop_ref = crop_stats(boxes)
    with pytest.raises(AssertionError):
        check_distributions(fast_draws, spec, crop_ref)


def test_grayscale_refuses_mismatched_weights():
    gray = TRANSFORMS.build(
        dict(type='FastRandomGrayscale', prob=1., channel_weights=(0.5, 0.5)))
    with pytest.raises(ValueError, match='channel_weights has 2 entries'):
        gray(dict(img=np.zeros((4, 4, 3), np.uint8)))

import pytest
import torch
import torch.nn.functional as F
from model_builders import tiny_mocov2plus


def views(n=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(n, 3, 32, 32, generator=g) for _ in range(2)]


def params(module):
    return {k: v.detach().clone() for k, v in module.named_parameters()}


def test_teacher_starts_as_exact_copy_and_gets_no_grad():
    model = tiny_mocov2plus()
    student = model.student_sequence().state_dict()
    teacher = model.teacher.module.state_dict()
    assert student.keys() == teacher.keys()
    for k in student:
        assert torch.equal(student[k], teacher[k]), k
    loss = model.loss(views(), None)['loss']
    loss.backward()
    assert all(p.grad is None for p in model.teacher.parameters())
    assert all(not p.requires_grad for p in model.teacher.parameters())
    assert model.backbone.conv1.weight.grad is not None
    assert model.predictor.fc0.weight.grad is not None


@pytest.mark.parametrize('teacher_predictor', [False, True])
def test_teacher_update_is_m_teacher_plus_1_minus_m_student(teacher_predictor):
    model = tiny_mocov2plus(teacher_predictor=teacher_predictor)
    model.loss(views(), None)  # first EMA step copies the student
    with torch.no_grad():  # make student and teacher differ
        for p in model.parameters():
            if p.requires_grad:
                p.add_(torch.randn_like(p) * 0.1)
    m = 0.9
    model.teacher_momentum = m
    t0 = params(model.teacher.module)
    s = params(model.student_sequence())
    model.loss(views(seed=1), None)
    t1 = params(model.teacher.module)
    assert t0.keys() == s.keys() == t1.keys()
    for k in t0:
        assert torch.allclose(t1[k], m * t0[k] + (1 - m) * s[k], atol=1e-6), k
    n_parts = len(model.teacher.module)
    if teacher_predictor:  # S-MoCo v2+: teacher predictor is averaged too
        assert n_parts == 3
        assert any(k.startswith('2.') for k in t1)
    else:
        assert n_parts == 2
        assert not any(k.startswith('2.') for k in t1)


def test_momentum_convention_matches_mmengine_ema():
    model = tiny_mocov2plus(base_momentum=0.99)
    assert model.teacher_momentum == pytest.approx(0.99)
    assert model.teacher.momentum == pytest.approx(0.01)  # mmengine: 1 - m


def fifo(queue, ptr, keys):
    """Reference FIFO: write keys at ptr, wrapping at the end."""
    queue = queue.clone()
    for key in keys:
        queue[ptr] = key
        ptr = (ptr + 1) % len(queue)
    return queue, ptr


def test_queue_is_fifo_with_wrap_around():
    model = tiny_mocov2plus()
    assert model.queue.shape == (16, 8)
    assert torch.allclose(model.queue.norm(dim=1), torch.ones(16))
    ref, ptr = model.queue.clone(), 0
    for step in range(7):  # 7 x 4 keys = 28 > 16: wraps around
        keys = torch.full((4, 8), float(step + 1))
        model._dequeue_and_enqueue(keys)
        ref, ptr = fifo(ref, ptr, keys)
        assert int(model.queue_ptr) == ptr
        assert torch.equal(model.queue, ref)
    assert ptr == 28 % 16


def test_queue_rejects_more_keys_than_its_length():
    model = tiny_mocov2plus()
    with pytest.raises(ValueError, match='exceed queue_len'):
        model._dequeue_and_enqueue(torch.zeros(17, 8))


def teacher_keys(model, img):
    with torch.no_grad():
        return F.normalize(model.teacher(img)[0], dim=1)


def test_random_view_enqueues_one_views_keys():
    torch.manual_seed(0)
    model = tiny_mocov2plus(enqueue='random_view')
    seen = set()
    for seed in range(6):
        x = views(seed=seed)
        model.loss(x, None)
        got = model.queue[(int(model.queue_ptr) - 4) % 16:][:4]
        k1, k2 = teacher_keys(model, x[0]), teacher_keys(model, x[1])
        match = [torch.allclose(got, k, atol=1e-5) for k in (k1, k2)]
        assert sum(match) == 1
        seen.add(match.index(True))
    assert int(model.queue_ptr) == (6 * 4) % 16
    assert seen == {0, 1}  # both views get picked over six steps


def test_both_enqueues_2n_keys_of_both_views():
    model = tiny_mocov2plus(enqueue='both')
    x = views()
    model.loss(x, None)
    assert int(model.queue_ptr) == 8
    want = torch.cat([teacher_keys(model, x[0]), teacher_keys(model, x[1])])
    assert torch.allclose(model.queue[:8], want, atol=1e-5)


def test_asymmetric_loss_uses_view2_keys_only():
    model = tiny_mocov2plus(
        symmetric_loss=False, predictor=False, enqueue='both')
    x = views()
    out = model.loss(x, None)['loss']
    assert int(model.queue_ptr) == 4
    assert torch.allclose(
        model.queue[:4], teacher_keys(model, x[1]), atol=1e-5)
    assert out.ndim == 0 and torch.isfinite(out)


def test_queue_and_pointer_are_saved_with_the_model():
    model = tiny_mocov2plus()
    model.loss(views(), None)
    state = model.state_dict()
    assert 'queue' in state and 'queue_ptr' in state
    assert 'teacher.steps' in state
    clone = tiny_mocov2plus()
    clone.load_state_dict(state)
    assert torch.equal(clone.queue, model.queue)
    assert int(clone.queue_ptr) == int(model.queue_ptr)


def test_bad_options_are_named():
    with pytest.raises(ValueError, match='enqueue'):
        tiny_mocov2plus(enqueue='all')
    with pytest.raises(ValueError, match='teacher_predictor'):
        tiny_mocov2plus(predictor=False, teacher_predictor=True)
    with pytest.raises(ValueError, match='base_momentum'):
        tiny_mocov2plus(base_momentum=1.0)


# ------------------------------------- through the data preprocessor (as
# mmpretrain's tests/test_models/test_selfsup/*: data dict -> preprocessor
# -> forward(mode=...)), with the released configs' normalisation
MEAN, STD = (123.675, 116.28, 103.53), (58.395, 57.12, 57.375)


def fake_batch(n=4, size=32, seed=0):
    """What the dataloader yields: two uint8 BGR views and data samples."""
    from mmselfsup.structures import SelfSupDataSample
    g = torch.Generator().manual_seed(seed)
    views = [
        torch.randint(
            0, 256, (n, 3, size, size), generator=g, dtype=torch.uint8)
        for _ in range(2)
    ]
    return dict(inputs=views, data_samples=[SelfSupDataSample()] * n)


def by_hand(view: torch.Tensor) -> torch.Tensor:
    """BGR uint8 -> RGB, float, normalised (independent of mmengine)."""
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return (view.flip(1).double() - mean.double()) / std.double()


def test_preprocessor_then_forward_loss_equals_the_loss_by_hand():
    import copy
    model = tiny_mocov2plus(
        data_preprocessor=dict(mean=MEAN, std=STD, bgr_to_rgb=True))
    assert type(model.data_preprocessor).__name__ == \
        'SelfSupDataPreprocessor'
    twin = copy.deepcopy(model)
    data = fake_batch()

    inputs, samples = model.data_preprocessor(data, training=True)
    assert len(inputs) == 2 and len(samples) == 4
    for got, raw in zip(inputs, data['inputs']):
        assert got.dtype == torch.float32
        torch.testing.assert_close(
            got.double(), by_hand(raw), rtol=0, atol=1e-5)
    torch.manual_seed(1)  # the enqueued view is drawn at random
    losses = model(inputs, samples, mode='loss')
    torch.manual_seed(1)
    ref = twin.loss([by_hand(v).float() for v in data['inputs']], samples)
    assert set(losses) == {'loss', 'infonce_q1k2', 'infonce_q2k1'}
    torch.testing.assert_close(losses['loss'], ref['loss'])
    torch.testing.assert_close(losses['loss'].detach(),
                               losses['infonce_q1k2'] + losses['infonce_q2k1'])
    # the step enqueued one view's keys: N of them, the same in both
    assert int(model.queue_ptr) == 4
    torch.testing.assert_close(model.queue, twin.queue)


def test_preprocessor_then_forward_tensor_is_view1_backbone_features():
    model = tiny_mocov2plus(
        data_preprocessor=dict(mean=MEAN, std=STD, bgr_to_rgb=True))
    model.eval()
    data = fake_batch(n=2)
    inputs, samples = model.data_preprocessor(data)
    feats = model(inputs, samples, mode='tensor')
    with torch.no_grad():
        ref = model.backbone(by_hand(data['inputs'][0]).float())
    assert feats[0].shape == (2, 32, 1, 1)
    torch.testing.assert_close(feats[0], ref[0])


def test_train_step_moves_the_student_and_only_the_ema_moves_the_teacher():
    from mmengine.optim import OptimWrapper
    model = tiny_mocov2plus(
        data_preprocessor=dict(mean=MEAN, std=STD, bgr_to_rgb=True))
    model.train()
    before = params(model)
    teacher_before = {
        k: v.clone()
        for k, v in model.teacher.module.state_dict().items()
    }
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    log = model.train_step(fake_batch(), wrapper)
    assert torch.isfinite(log['loss'])
    after = params(model)
    moved = [k for k in before if not torch.equal(before[k], after[k])]
    assert any(k.startswith('backbone.') for k in moved)
    assert any(k.startswith('predictor.') for k in moved)
    assert not any(k.startswith('teacher.') for k in moved)
    # the teacher's only change is the EMA of the (pre-step) student: its
    # first update copies the student, which init_weights made it already
    for k, v in model.teacher.module.state_dict().items():
        if v.dtype.is_floating_point and 'running' not in k:
            torch.testing.assert_close(v, teacher_before[k], msg=k)

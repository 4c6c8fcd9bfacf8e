"""Any number of keys per step (issue 8): FIFO across the wrap, and the two
InfoNCE terms logged next to their (unchanged) sum."""
import pytest
import torch
import torch.nn.functional as F
from model_builders import tiny_mocov2plus


def reference_history(initial, pushed):
    """FIFO as a list: the queue is the last K keys ever seen, oldest first
    (the initial random keys count as the oldest)."""
    rows = [initial] + list(pushed)
    return torch.cat(rows)[-len(initial):]


@pytest.mark.parametrize('n', [3, 5, 7, 16])
def test_queue_keeps_fifo_order_when_n_does_not_divide_k(n):
    model = tiny_mocov2plus()  # queue_len 16
    initial = model.queue.clone()
    g = torch.Generator().manual_seed(n)
    pushed = []
    for step in range(9):  # 9 x n keys: wraps around one or more times
        keys = F.normalize(torch.randn(n, 8, generator=g), dim=1)
        model._dequeue_and_enqueue(keys)
        pushed.append(keys)
        ptr = int(model.queue_ptr)
        assert ptr == (step + 1) * n % 16
        # reading the buffer from the pointer on gives oldest -> newest
        oldest_first = torch.roll(model.queue, -ptr, dims=0)
        assert torch.equal(oldest_first, reference_history(initial, pushed))


def test_training_step_with_a_batch_that_does_not_divide_the_queue():
    torch.manual_seed(0)
    model = tiny_mocov2plus()
    g = torch.Generator().manual_seed(0)
    x = [torch.randn(3, 3, 32, 32, generator=g) for _ in range(2)]
    for _ in range(6):  # 18 keys through a 16-key queue
        out = model.loss(x, None)
    assert int(model.queue_ptr) == 18 % 16
    assert torch.isfinite(out['loss'])


def test_symmetric_loss_logs_both_terms_next_to_the_same_sum():
    from mmengine.model import BaseModel
    torch.manual_seed(0)
    model = tiny_mocov2plus()
    g = torch.Generator().manual_seed(1)
    x = [torch.randn(4, 3, 32, 32, generator=g) for _ in range(2)]
    queue = model.queue.clone()
    out = model.loss(x, None)
    # the terms, recomputed independently from the model's parts
    with torch.no_grad():
        q1, q2 = model._query(x[0]), model._query(x[1])
        k1, k2 = model._key(x[0]), model._key(x[1])

        def infonce(q, k):
            logits = torch.cat([(q * k).sum(1, keepdim=True), q @ queue.t()],
                               dim=1) / 0.2
            return -logits.log_softmax(dim=1)[:, 0].mean()

        want12, want21 = infonce(q1, k2), infonce(q2, k1)
    assert set(out) == {'loss', 'infonce_q1k2', 'infonce_q2k1'}
    assert float(out['infonce_q1k2']) == pytest.approx(float(want12), rel=1e-5)
    assert float(out['infonce_q2k1']) == pytest.approx(float(want21), rel=1e-5)
    assert torch.equal(out['loss'], out['infonce_q1k2'] + out['infonce_q2k1'])
    # mmengine's total (what is back-propagated) is the sum alone
    total, log_vars = BaseModel.parse_losses(model, out)
    assert torch.equal(total, out['loss'])
    assert set(log_vars) == {'loss', 'infonce_q1k2', 'infonce_q2k1'}


def test_asymmetric_loss_logs_the_loss_only():
    model = tiny_mocov2plus(symmetric_loss=False, predictor=False)
    g = torch.Generator().manual_seed(2)
    x = [torch.randn(4, 3, 32, 32, generator=g) for _ in range(2)]
    assert set(model.loss(x, None)) == {'loss'}

# The tiny MoCo v2+ with the real LARS recipe (BN/bias excluded), lr scaled
# linearly to the tiny batch.
_base_ = [
    './tiny_mocov2plus_mnist.py',
    '../../../configs/_base_/schedules/lars_bn-bias-excluded.py'
]

optim_wrapper = {{_base_.lars_optim_wrapper}}
auto_scale_lr = dict(enable=True, base_batch_size=4096)

# The NormRescale demo's LARS run: the MoCo v2+ demo with the paper's LARS
# recipe (lr 4.8, wd 1e-6, BN/bias excluded). The lr is NOT scaled down to
# the demo's batch of 64: LARS' trust ratio already sets each step relative
# to the weight norm, and 4.8 x 64 / 4096 leaves the weights almost where
# they started in this budget (measured: LARS/SGD norm ratio 0.99).
_base_ = [
    './mocov2plus_r18-w32_mnist.py',
    '../_base_/schedules/lars_bn-bias-excluded.py'
]

optim_wrapper = {{_base_.lars_optim_wrapper}}
auto_scale_lr = dict(enable=False)

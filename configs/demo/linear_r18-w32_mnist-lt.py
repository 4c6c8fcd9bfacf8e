# The demo's long-tailed point (Fig. 4 at CPU size): the demo's linear
# evaluation trained on a long-tailed cut of the training digits (Cao et al.
# 2019 profile, rho = 100: 400 digits of class 0 down to 4 of class 9, 988
# in all, LDAM seeding) and tested on the balanced 1,000 held-out digits.
_base_ = './linear_r18-w32_mnist.py'

train_dataloader = dict(
    dataset=dict(type='mmselfsup.MNISTDigitsLT', imbalance_ratio=100,
                 seed=0))

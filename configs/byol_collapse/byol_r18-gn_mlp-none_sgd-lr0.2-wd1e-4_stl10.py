# BYOL appendix: no BN anywhere, SGD lr 0.2 with weight decay 1e-4.
_base_ = './byol_r18-gn_mlp-none_sgd-lr0.2-wd0_stl10.py'

optim_wrapper = dict(optimizer=dict(weight_decay=1e-4))

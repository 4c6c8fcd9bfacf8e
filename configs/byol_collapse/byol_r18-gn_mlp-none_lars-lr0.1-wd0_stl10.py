# BYOL appendix: no BN anywhere, LARS with lr 0.1.
_base_ = './byol_r18-gn_mlp-none_lars-lr0.2-wd0_stl10.py'

optim_wrapper = dict(optimizer=dict(lr=0.1))

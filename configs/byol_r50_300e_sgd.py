# Fig. 6 (pre-training length) and Fig. 7 (over-training): BYOL with SGD
# (byol_r50_200e_sgd.py) for 300 epochs.
# Only the length changes: the 10-epoch warm-up stays; the cosine lr and
# the teacher momentum (MomentumAscendingHook, 0.99 -> 1 over the run's
# iterations) end with the run (the schedule base leaves the cosine's end
# to the Runner: train_cfg.max_epochs).
_base_ = './byol_r50_200e_sgd.py'

train_cfg = dict(max_epochs=300)
# Fig. 7 sweeps this run: every 50th-epoch checkpoint is kept (interval
# 50; max_keep_ckpts=-1: mmengine rotates none away). A resume restarts from
# the last of them (a crash loses up to 50 epochs). Sweep command:
# docs/appendix.md.
default_hooks = dict(checkpoint=dict(interval=50, max_keep_ckpts=-1))

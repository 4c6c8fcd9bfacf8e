# Tab. 6 (BYOL row) and Fig. 6 (pre-training length): BYOL with SGD
# (byol_r50_200e_sgd.py) for 100 epochs.
# Only the length changes: the 10-epoch warm-up stays; the cosine lr and
# the teacher momentum (MomentumAscendingHook, 0.99 -> 1 over the run's
# iterations) end with the run (the schedule base leaves the cosine's end
# to the Runner: train_cfg.max_epochs).
_base_ = './byol_r50_200e_sgd.py'

train_cfg = dict(max_epochs=100)

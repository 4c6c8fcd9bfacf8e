# Fig. 6 (pre-training length): MoCo v2+ (mocov2plus_r50_200e.py) for
# 500 epochs.
# Only the length changes: the 10-epoch warm-up stays; the cosine lr and
# the teacher momentum (MomentumAscendingHook, 0.99 -> 1 over the run's
# iterations) end with the run (the schedule base leaves the cosine's end
# to the Runner: train_cfg.max_epochs).
_base_ = './mocov2plus_r50_200e.py'

train_cfg = dict(max_epochs=500)

# Tab. 6 (S-MoCo v2+ row): S-MoCo v2+ (smocov2plus_r50_200e.py) for 100
# epochs.
# Only the length changes: the 10-epoch warm-up stays; the cosine lr and
# the teacher momentum (MomentumAscendingHook, 0.99 -> 1 over the run's
# iterations) end with the run (the schedule base leaves the cosine's end
# to the Runner: train_cfg.max_epochs).
_base_ = './smocov2plus_r50_200e.py'

train_cfg = dict(max_epochs=100)

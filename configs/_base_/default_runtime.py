_base_ = 'mmselfsup::selfsup/_base_/default_runtime.py'

# Registers MoCoV2Plus, SymmetricContrastiveHead, MomentumAscendingHook, ...
# and applies the host glue (airl_mm.compat), for every entry point that
# reads this config (tools/train.py, mmselfsup's, mim train).
custom_imports = dict(imports=['airl_mm.register'], allow_failed_imports=False)

default_hooks = dict(
    # mmengine's CheckpointHook that never writes NaN/inf weights, so that
    # rotation (max_keep_ckpts) never deletes the last finite checkpoint
    checkpoint=dict(type='FiniteCheckpointHook', interval=10,
                    max_keep_ckpts=3),
    # the first non-finite loss (or clipped grad norm) stops the run, naming
    # the iteration, epoch and loss terms; max_skips=N skips N bad steps
    # in a row instead (AMP); enable=False turns it off
    nonfinite_guard=dict(type='NonFiniteGuardHook', max_skips=0))

# The CPU-aware Runner (gloo + SyncBN->BN without CUDA; mmengine's Runner
# otherwise) that also saves/restores the random state in checkpoints and
# seeds augmentations per (seed, epoch, sample), for every entry point that
# honours runner_type.
runner_type = 'AirlRunner'

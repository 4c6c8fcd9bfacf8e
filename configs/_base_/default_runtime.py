_base_ = 'mmselfsup::selfsup/_base_/default_runtime.py'

# Registers MoCoV2Plus, SymmetricContrastiveHead, MomentumAscendingHook, ...
# and applies the host glue (airl_mm.compat).
custom_imports = dict(imports=['airl_mm'], allow_failed_imports=False)

default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=3))

# The CPU-aware Runner (gloo + SyncBN->BN without CUDA; mmengine's Runner
# otherwise), for every entry point that honours runner_type.
runner_type = 'AirlRunner'

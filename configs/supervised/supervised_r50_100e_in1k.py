# The "Supervised" rows of the appendix (Tab. 6, Fig. 6 and 8): ResNet-50
# trained with labels on the same ImageNet-1k data, mmpretrain's standard
# recipe as it ships (SGD lr 0.1, momentum 0.9, wd 1e-4, batch 256 = 8 GPUs
# x 32, x0.1 at epochs 30/60/90, 100 epochs; RandomResizedCrop 224 + flip).
# Its checkpoint (backbone.* keys) goes through the same benchmarks as the
# self-supervised ones (tools/benchmarks/train_benchmark.py reads it).
_base_ = 'mmpretrain::resnet/resnet50_8xb32_in1k.py'

custom_imports = dict(imports=['airl_mm.register'], allow_failed_imports=False)
runner_type = 'mmselfsup.AirlRunner'
# Keep the last checkpoints (the benchmarks need only the final one).
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=3))

# Linear evaluation on ImageNet-1k for SGD pre-trainings (the paper's Fig. 2,
# Tab. 2/4/6/7 "ImageNet Acc"): frozen ResNet-50 (every stage frozen, BN in
# eval mode), global-pooled stage-5 features, one linear layer; train
# RandomResizedCrop 224 + flip, test resize 256 -> centre crop 224; SGD lr 30,
# momentum 0.9, weight decay 0, batch 256 (8 GPUs x 32), x0.1 at epochs 60
# and 80, 100 epochs. This is mmpretrain's MoCo v2 linear benchmark as it
# ships; tools/benchmarks/train_benchmark.py points the backbone's init_cfg
# at the converted pre-training checkpoint.
_base_ = 'mmpretrain::mocov2/benchmarks/resnet50_8xb32-linear-steplr-100e_in1k.py'  # noqa: E501

# Registers the offline CIFAR / CIFAR-LT datasets and applies the host glue.
custom_imports = dict(imports=['airl_mm.register'], allow_failed_imports=False)

# frozen_stages=4 already puts every BN of the backbone in eval mode;
# norm_eval says it again so a child that unfreezes a stage keeps it.
model = dict(backbone=dict(frozen_stages=4, norm_eval=True))

# CPU / no-CUDA runs (tests, demos) pick gloo through the CPU-aware Runner.
runner_type = 'mmselfsup.AirlRunner'
auto_scale_lr = dict(base_batch_size=256)

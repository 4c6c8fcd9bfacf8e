# Data for tools/analysis/cka.py: the 1,000 held-out embedded MNIST digits,
# in a fixed order, normalised as the demo models were trained.
default_scope = 'mmselfsup'
custom_imports = dict(imports=['airl_mm.register'], allow_failed_imports=False)
model = dict(
    data_preprocessor=dict(mean=(33.3, 33.3, 33.3), std=(78.6, 78.6, 78.6)))
test_dataloader = dict(
    batch_size=64,
    dataset=dict(
        type='MNISTDigits',
        split='test',
        pipeline=[dict(type='PackSelfSupInputs', meta_keys=['img_shape'])]))

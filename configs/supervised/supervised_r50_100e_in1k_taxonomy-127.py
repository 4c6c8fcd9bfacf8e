# Tab. 6 (Appendix B.2, semantic information of labels), "Supervised-127":
# the supervised ResNet-50 baseline (100 epochs, all ImageNet-1k training
# images) with its 1000 labels merged into the 127 classes of the first step
# of Huh et al. 2016's top-down clustering (largest: mammal.n.01, 218).
# Only the labels (training and validation sets, by TaxonomyRelabel from
# the mapping airl_mm ships; see docs/taxonomy.md) and the head's number of
# classes change.
_base_ = './supervised_r50_100e_in1k.py'

model = dict(head=dict(num_classes=127))
data_preprocessor = dict(num_classes=127)
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='mmselfsup.TaxonomyRelabel',
        taxonomy='127',
        dataset={{_base_.train_dataloader.dataset}}))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='mmselfsup.TaxonomyRelabel',
        taxonomy='127',
        dataset={{_base_.val_dataloader.dataset}}))
test_dataloader = val_dataloader

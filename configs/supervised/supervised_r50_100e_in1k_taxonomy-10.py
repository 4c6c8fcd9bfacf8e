# Tab. 6 (Appendix B.2, semantic information of labels), "Supervised-10":
# the supervised ResNet-50 baseline (100 epochs, all ImageNet-1k training
# images) with its 1000 labels merged into the 10 classes of the second step
# of Huh et al. 2016's top-down clustering (object.n.01 holds 955 classes,
# food.n.01 22, produce.n.01 13, the other seven 1 to 3 each).
# Only the labels (training and validation sets, by TaxonomyRelabel from
# the mapping airl_mm ships; see docs/taxonomy.md) and the head's number of
# classes change.
_base_ = './supervised_r50_100e_in1k.py'

model = dict(head=dict(num_classes=10))
data_preprocessor = dict(num_classes=10)
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='mmselfsup.TaxonomyRelabel',
        taxonomy='10',
        dataset={{_base_.train_dataloader.dataset}}))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='mmselfsup.TaxonomyRelabel',
        taxonomy='10',
        dataset={{_base_.val_dataloader.dataset}}))
test_dataloader = val_dataloader

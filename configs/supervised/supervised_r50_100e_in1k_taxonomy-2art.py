# Tab. 6 (Appendix B.2, semantic information of labels), "Supervised-2"
# with the flat sign: the supervised ResNet-50 baseline (100 epochs, all
# ImageNet-1k training images) with its 1000 labels merged into 2 classes:
# artifact (WordNet's artifact.n.01 and every synset under it, on any
# hypernym path: 522 classes) vs the rest (478), about 1:1.
# Only the labels (training and validation sets, by TaxonomyRelabel from
# the mapping airl_mm ships; see docs/taxonomy.md) and the head's number of
# classes change.
# With 2 classes the head and the validation report top-1 only (top-5
# needs 5 classes).
_base_ = './supervised_r50_100e_in1k.py'

model = dict(head=dict(num_classes=2, topk=(1, )))
data_preprocessor = dict(num_classes=2)
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='mmselfsup.TaxonomyRelabel',
        taxonomy='2art',
        dataset={{_base_.train_dataloader.dataset}}))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='mmselfsup.TaxonomyRelabel',
        taxonomy='2art',
        dataset={{_base_.val_dataloader.dataset}}))
test_dataloader = val_dataloader
val_evaluator = dict(topk=(1, ))
test_evaluator = val_evaluator

# Former name of sgd_coslr-200e.py, kept for configs that still name it.
_base_ = './sgd_coslr-200e.py'

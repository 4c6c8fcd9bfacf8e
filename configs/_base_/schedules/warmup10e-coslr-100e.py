# Former named 100-epoch scheduler (``param_scheduler_100e``), kept for
# configs that still swap it in; new configs use sgd_coslr-100e.py.
_base_ = './sgd_coslr-100e.py'

param_scheduler_100e = {{_base_.param_scheduler}}

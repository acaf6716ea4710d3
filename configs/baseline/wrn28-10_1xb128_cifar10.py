# Baseline (crop + flip only) WRN-28-10 on CIFAR-10, the recipe of the
# augmentation papers: SGD 0.1 Nesterov, cosine, 200 epochs, batch 128,
# weight decay 5e-4.
_base_ = [
    '../_base_/models/wrn28_10.py', '../_base_/datasets/cifar10.py',
    '../_base_/schedules/cifar_bs128_200e.py', '../_base_/default_runtime.py'
]

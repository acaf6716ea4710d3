# Baseline (crop + flip only) WRN-28-10 on CIFAR-100, same recipe as
# CIFAR-10.
_base_ = [
    '../_base_/models/wrn28_10.py', '../_base_/datasets/cifar100.py',
    '../_base_/schedules/cifar_bs128_200e.py', '../_base_/default_runtime.py'
]
model = dict(head=dict(num_classes=100))

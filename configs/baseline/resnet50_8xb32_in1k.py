# Baseline (random-resized crop + flip only) ResNet-50 on ImageNet with the
# 270-epoch recipe of AutoAugment / Fast AutoAugment / DADA, 8 GPUs x 32.
_base_ = [
    '../_base_/models/resnet50.py', '../_base_/datasets/imagenet.py',
    '../_base_/schedules/imagenet_bs256_270e.py',
    '../_base_/default_runtime.py'
]

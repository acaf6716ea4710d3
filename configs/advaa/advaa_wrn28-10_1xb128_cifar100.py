# Adversarial AutoAugment on CIFAR-100, WRN-28-10: the CIFAR-10 recipe
# (the paper uses the same hyper-parameters for both) on 100 classes, with
# the data settings of ../_base_/datasets/cifar100.py.
_base_ = ['./advaa_wrn28-10_1xb128_cifar10.py']

dataset_type = 'mmpretrain.CIFAR100'
data_root = 'data/cifar100'
data_preprocessor = dict(
    num_classes=100,
    # RGB mean / std of the CIFAR-100 training set
    mean=[129.304, 124.070, 112.434],
    std=[68.170, 65.392, 70.418])
model = dict(classifier=dict(head=dict(num_classes=100)))
train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = val_dataloader

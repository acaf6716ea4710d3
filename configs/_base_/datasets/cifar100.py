# CIFAR-100 in the python-pickle layout mmpretrain's CIFAR100 reads:
#   data/cifar100/cifar-100-python/{train,test,meta}
# (the extracted cifar-100-python.tar.gz; mmpretrain downloads it when
# missing). Same pipeline as CIFAR-10.
_base_ = ['./cifar10.py']

dataset_type = 'mmpretrain.CIFAR100'
data_root = 'data/cifar100'
data_preprocessor = dict(
    num_classes=100,
    # RGB mean / std of the CIFAR-100 training set
    mean=[129.304, 124.070, 112.434],
    std=[68.170, 65.392, 70.418])

train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = val_dataloader

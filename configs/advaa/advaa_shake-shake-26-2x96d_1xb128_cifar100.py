# Adversarial AutoAugment on CIFAR-100 with Shake-Shake-26 2x96d (the paper:
# 14.10% +/- 0.15 error): ./advaa_shake-shake-26-2x96d_1xb128_cifar10.py on
# 100 classes with the public reimplementation's CIFAR-100 recipe for this
# model (src/confs/cifar100/shake26_2x96d_cifar100.yaml): 1200 epochs,
# batch 128, lr 0.1, weight decay 5e-4, cosine decay.
_base_ = ['./advaa_shake-shake-26-2x96d_1xb128_cifar10.py']

max_epochs = 1200

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
optim_wrapper = dict(optimizer=dict(lr=0.1, weight_decay=5e-4))
param_scheduler = dict(T_max=max_epochs, end=max_epochs)
train_cfg = dict(max_epochs=max_epochs)

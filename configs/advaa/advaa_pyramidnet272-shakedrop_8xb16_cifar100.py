# Adversarial AutoAugment on CIFAR-100 with PyramidNet-272 (alpha 200) +
# ShakeDrop (the paper: 10.42% +/- 0.20 error):
# ./advaa_pyramidnet272-shakedrop_8xb16_cifar10.py on 100 classes with the
# public reimplementation's CIFAR-100 recipe for this model
# (src/confs/cifar100/.ipynb_checkpoints/pyramid272_cifar100-checkpoint.yaml,
# the stored copy of its conf): 1200 epochs, batch 128 (8 GPUs x 16),
# lr 0.5, weight decay 1e-4, cosine decay.
_base_ = ['./advaa_pyramidnet272-shakedrop_8xb16_cifar10.py']

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
optim_wrapper = dict(optimizer=dict(lr=0.5, weight_decay=1e-4))
param_scheduler = dict(T_max=max_epochs, end=max_epochs)
train_cfg = dict(max_epochs=max_epochs)

# AWS stage 2 on CIFAR-100 (see the CIFAR-10 search config).
_base_ = ['./aws-search_wrn28-10_1xb256_cifar10.py']

cifar100 = dict(type='mmpretrain.CIFAR100', data_root='data/cifar100')
model = dict(head=dict(num_classes=100),
             data_preprocessor=dict(num_classes=100,
                                    mean=[129.304, 124.070, 112.434],
                                    std=[68.170, 65.392, 70.418]))
train_dataloader = dict(dataset=dict(dataset=cifar100))
train_cfg = dict(
    heldout_dataloader=dict(dataset=dict(dataset=cifar100)),
    shared_checkpoint='work_dirs/aws-stage1_wrn28-10_1xb256_cifar100')

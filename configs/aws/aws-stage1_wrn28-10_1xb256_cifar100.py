# AWS stage 1 on CIFAR-100 (see the CIFAR-10 config; the authors' yaml is
# this data set's): WRN-28-10 under the uniform pair distribution on a
# 40k / 10k stratified split (100 images per class held out).
_base_ = ['./aws-stage1_wrn28-10_1xb256_cifar10.py']

cifar100 = dict(type='mmpretrain.CIFAR100', data_root='data/cifar100')
model = dict(head=dict(num_classes=100),
             # utils/data.py: CIFAR-100 mean (0.5071, 0.4867, 0.4408) and
             # std (0.2675, 0.2565, 0.2761), times 255
             data_preprocessor=dict(num_classes=100,
                                    mean=[129.304, 124.070, 112.434],
                                    std=[68.170, 65.392, 70.418]))
train_dataloader = dict(dataset=dict(dataset=cifar100))
val_dataloader = dict(dataset=dict(dataset=cifar100))
test_dataloader = val_dataloader
heldout_dataloader = dict(dataset=dict(dataset=cifar100))
